"""Synthetic filing rosters for the benchmark (and the large-file tests): deterministic, all rows valid."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

CITIES = ("沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市", "营口市", "阜新市", "辽阳市",
          "盘锦市", "铁岭市", "朝阳市", "葫芦岛市")
DIVISIONS = ("210100", "210200", "210300", "210400", "210500", "210600", "210700", "210800", "210900",
             "211000", "211100", "211200", "211300", "211400")
TYPES = ("设计", "安装", "维护", "报警运营服务")
HEADERS = ("单位名称", "统一社会信用代码", "法定代表人", "注册地址", "经营场所地址", "所在市", "业务类型",
           "联系人", "联系电话", "备案编号", "备案日期")
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def credit_code(body17: str) -> str:
    """Append the GB 32100 check character to 17 characters."""
    total = sum(w * _ALPHABET.index(c) for w, c in zip(_WEIGHTS, body17, strict=True))
    return body17 + _ALPHABET[-total % 31]


def roster_rows(count: int, seed: int = 5) -> Iterator[tuple]:
    """Rows in the canonical column order; dates as datetime.date, everything else text."""
    rng = random.Random(seed)
    start = dt.date(2015, 1, 1)
    for i in range(count):
        city = rng.randrange(len(CITIES))
        prefix = rng.choice(("91", "92", "93", "52", "Y1"))  # GB 32100 allows letters in the first two
        body = prefix + DIVISIONS[city] + "".join(rng.choice(_ALPHABET) for _ in range(9))
        name = f"辽宁{CITIES[city][:-1]}第{i + 1}安防科技有限公司"
        person = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        types = "、".join(rng.sample(TYPES, rng.randint(1, 3)))
        yield (
            name,
            credit_code(body),
            person,
            f"{CITIES[city]}和平区南京北街{rng.randint(1, 999)}号",
            f"{CITIES[city]}沈河区青年大街{rng.randint(1, 999)}号{rng.randint(1, 30)}层",
            CITIES[city],
            types,
            rng.choice(_SURNAMES) + rng.choice(_GIVEN),
            f"13{rng.randint(100000000, 999999999)}",
            f"辽公技备〔{2015 + i % 10}〕{DIVISIONS[city]}-{i + 1:06d}号",
            start + dt.timedelta(days=rng.randrange(3600)),
        )
