"""individuals from another province may file (Liaoning art. 17, issue 14 point 1): firm.holder_kind,
id_document_type, id_document_number (unique), home_province.

Revision ID: d7a3e91c4b20
Revises: 3c07870972d3
Create Date: 2026-11-28 17:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd7a3e91c4b20'
down_revision = '3c07870972d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_kind', sa.String(length=16), server_default='unit', nullable=False))
        batch_op.add_column(sa.Column('id_document_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('id_document_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('home_province', sa.String(length=6), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_firm_id_document_number'), ['id_document_number'])


def downgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_firm_id_document_number'), type_='unique')
        batch_op.drop_column('home_province')
        batch_op.drop_column('id_document_number')
        batch_op.drop_column('id_document_type')
        batch_op.drop_column('holder_kind')
