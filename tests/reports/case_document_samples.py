"""A Liaoning case as the documents' tests and the PNG check see it: 沈阳市公安局 fines a shopping centre
3万元 under 辽宁省公共安全技术防范条例 art. 31(1) for not installing the system art. 10(1)(7) requires.
Article texts as the bureau's text has them (parsed from liaoning-2014.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from reports.case_documents import (
    CaseDocumentFacts,
    Hearing,
    Party,
    PaymentPlace,
    Penalty,
    Provision,
    Reminder,
    Service,
)

LAW = "辽宁省公共安全技术防范条例"
ARTICLE_10 = (
    "下列场所和部位应当安装技防系统：（一）广播电台、电视台、通讯社等重要新闻单位；（二）港口、码头、机场、地铁、大型车站等交通枢纽"
    "以及公共交通工具；（三）电信、邮政、金融机构的营业、存放场所，印制、存放、销毁有价证券场所；（四）大型能源动力设施、水利设施和"
    "城市水、电、燃气、热力供应设施以及油库、加油（气）站；（五）重要科研、生产单位的研究、试验和资料存放场所，涉密场所除外；"
    "（六）重要物资仓库，以及排放污染物的企业事业单位的生产、存放场所；（七）学校、幼儿园、医疗机构，大型商场、农贸市场以及文化娱乐"
    "场所、体育场馆、宾馆、酒店、旅游景区等人员密集场所；（八）重点文物保护单位、档案馆等用于收藏、陈列、展览具有重要价值的物品、"
    "资料的场所或者部位；（九）易燃、易爆、剧毒、放射性物品，或者管制药品和病菌等危险物品的研制、生产、销售、存放场所或者部位；"
    "（十）印制、存储属于国家秘密的文件、试卷、信息等资料的场所或者部位；（十一）新建居民住宅小区和已建成并有安装条件的居民小区；"
    "（十二）县以上人民政府确定的其他重要场所和部位。\n具有前款规定场所和部位的单位属于技术防范重点单位，应当由本单位负责安装建设和"
    "管理、使用、维护技防系统，履行公共安全技术防范责任。"
)
ARTICLE_31 = (
    "违反本条例规定，有下列情形之一的，由公安机关责令限期改正；逾期不改正的，对单位处3万元罚款，对单位负责人及相关责任人处5000元罚款："
    "（一）未依法安装技防系统的；（二）擅自在社会公共区域安装技防系统的；（三）妨碍社会公共区域技防系统正常运行的；（四）社会公共区域"
    "和技术防范重点单位技防系统设计方案未经论证或者论证未通过或者未按照论证方案进行施工的。"
)
PARTY = Party(
    name="沈阳盛京商贸广场有限公司", type="unit", identifier="91210100MA0T000019",
    address="沈阳市和平区中华路88号", legal_representative="赵铁柱",
)
VIOLATED = (Provision(LAW, 10, paragraph=1, items=(7,), text=ARTICLE_10),)
BASIS = (Provision(LAW, 31, items=(1,), text=ARTICLE_31),)
BANK = PaymentPlace(bank="中国工商银行沈阳分行营业部（代收罚款）", account_name="沈阳市财政局非税收入专户",
                    account_number="3301 0000 0000 0000 000")

BASE = CaseDocumentFacts(
    authority="沈阳市公安局",
    number="沈公（技）罚决字〔2026〕12号",
    party=PARTY,
    issued_on=dt.date(2026, 11, 20),
    facts="经营的盛京商贸广场属大型商场，营业面积约三万平方米，未依法安装技防系统，经本机关责令限期改正，逾期仍未改正",
    evidence="现场检查笔录、现场照片、责令限期改正通知书及送达回证、询问笔录",
    act_date=dt.date(2026, 6, 1),
    violated=VIOLATED,
    basis=BASIS,
    penalty=Penalty(fine_fen=3_000_000, other_measures=("责令立即安装技防系统",)),
    payment=BANK,
    correction_deadline=dt.date(2026, 12, 20),
    correction_requirements="按照技防系统设计方案安装技防系统并经验收合格",
    hearing_due=True,
    hearing_request_by=dt.date(2026, 11, 27),
    hearing=Hearing(at=dt.datetime(2026, 12, 8, 9, 30), place="沈阳市公安局第一会议室", requested_on=dt.date(2026, 11, 24),
                    host="钱明"),
    service=Service(document_title="行政处罚决定书", document_number="沈公（技）罚决字〔2026〕12号", method="直接送达",
                    place="沈阳市和平区中华路88号", servers="孙警官、李警官"),
    reminder=Reminder(decision_number="沈公（技）罚决字〔2026〕12号", decision_date=dt.date(2026, 9, 1),
                      served_on=dt.date(2026, 9, 2), as_of=dt.date(2026, 11, 20), unpaid_fen=3_000_000,
                      surcharge_fen=3_000_000),
    review_body="沈阳市人民政府",
    court="",
    contact="王警官 024-00000000",
    authority_address="沈阳市和平区某路1号",
)

NUMBERS = {
    "order_to_correct": "沈公（技）限改字〔2026〕7号",
    "notice": "沈公（技）罚告字〔2026〕12号",
    "hearing_notice": "沈公（技）听通字〔2026〕3号",
    "decision": "沈公（技）罚决字〔2026〕12号",
    "service_proof": "沈公（技）送字〔2026〕21号",
    "reminder": "沈公（技）催字〔2026〕2号",
}


def sample_facts(kind: str, **changes) -> CaseDocumentFacts:
    """The sample case with the number of that kind of document, and any field changed."""
    return dataclasses.replace(BASE, **{"number": NUMBERS[kind], **changes})
