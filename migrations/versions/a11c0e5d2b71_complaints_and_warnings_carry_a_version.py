"""complaints and warnings carry a version (optimistic lock: a step is decided once)

Revision ID: a11c0e5d2b71
Revises: f4db8159a9c1
Create Date: 2026-11-28 18:12:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11c0e5d2b71'
down_revision = 'f4db8159a9c1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('warning', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('warning', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('version')
