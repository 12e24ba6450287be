"""the firm-name index is a derived table without a foreign key

Revision ID: c4f1e2a7b9d3
Revises: 6bcea448c3e1
Create Date: 2026-11-24 15:20:00

firm_name_gram is rebuilt from firm.name at will (`flask roster reindex`) and kept by the application
(app/services/name_index.py, which also removes a deleted firm's pieces). Its foreign key checked every
piece against the firm table one row at a time: 1.4 million checks for a 100,000-firm import, 4.5 s of
the import on PostgreSQL. SQLite cannot drop a constraint, so there the table is rebuilt (WITHOUT ROWID,
as before) and its rows copied.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1e2a7b9d3'
down_revision = '6bcea448c3e1'
branch_labels = None
depends_on = None


def _rebuild_sqlite(with_foreign_key: bool) -> None:
    columns = [sa.Column('gram', sa.String(length=8), nullable=False),
               sa.Column('firm_id', sa.Integer(), nullable=False)]
    constraints = [sa.PrimaryKeyConstraint('gram', 'firm_id', name=op.f('pk_firm_name_gram'))]
    if with_foreign_key:
        constraints.append(sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_firm_name_gram_firm_id_firm'),
                                                   ondelete='CASCADE'))
    op.create_table('firm_name_gram_rebuilt', *columns, *constraints, sqlite_with_rowid=False)
    keep = " WHERE firm_id IN (SELECT id FROM firm)" if with_foreign_key else ""
    op.execute("INSERT INTO firm_name_gram_rebuilt (gram, firm_id) "
               f"SELECT gram, firm_id FROM firm_name_gram{keep} ORDER BY gram, firm_id")
    op.drop_table('firm_name_gram')
    op.rename_table('firm_name_gram_rebuilt', 'firm_name_gram')


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(with_foreign_key=False)
    else:
        op.drop_constraint(op.f('fk_firm_name_gram_firm_id_firm'), 'firm_name_gram', type_='foreignkey')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(with_foreign_key=True)
    else:
        op.execute("DELETE FROM firm_name_gram WHERE firm_id NOT IN (SELECT id FROM firm)")
        op.create_foreign_key(op.f('fk_firm_name_gram_firm_id_firm'), 'firm_name_gram', 'firm', ['firm_id'], ['id'],
                              ondelete='CASCADE')
