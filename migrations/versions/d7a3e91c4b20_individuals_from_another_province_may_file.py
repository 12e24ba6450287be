"""individuals from another province may file (Liaoning art. 17, issue 14 point 1): firm.holder_kind,
id_document_type, id_document_number (unique), home_province; and (point 5) filing_document.replaced_at,
filing_request.review_snapshot.

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
    # Issue 14 point 5 (same revision, not yet deployed): a replaced material stays in the request's history,
    # and a returned request remembers what the bureau saw.
    with op.batch_alter_table('filing_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('filing_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_snapshot', sa.JSON(), nullable=True))
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
    with op.batch_alter_table('filing_request', schema=None) as batch_op:
        batch_op.drop_column('review_snapshot')
    with op.batch_alter_table('filing_document', schema=None) as batch_op:
        batch_op.drop_column('replaced_at')
