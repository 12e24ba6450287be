"""a penalty case schedules its hearing (行政处罚法 art. 64): day and time (Beijing wall clock), place, host,
public or not, the day the notice is issued

Revision ID: 7b3e5c1d9a42
Revises: 2da023406942
Create Date: 2026-11-28 20:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e5c1d9a42'
down_revision = '2da023406942'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('penalty_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hearing_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('hearing_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('hearing_place', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('hearing_host_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hearing_public', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('hearing_private_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('hearing_notice_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_penalty_case_hearing_host_id_user'), 'user', ['hearing_host_id'], ['id'])


def downgrade():
    with op.batch_alter_table('penalty_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_penalty_case_hearing_host_id_user'), type_='foreignkey')
        batch_op.drop_column('hearing_notice_on')
        batch_op.drop_column('hearing_private_reason')
        batch_op.drop_column('hearing_public')
        batch_op.drop_column('hearing_host_id')
        batch_op.drop_column('hearing_place')
        batch_op.drop_column('hearing_time')
        batch_op.drop_column('hearing_on')
