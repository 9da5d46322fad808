"""claim cause and approved amount: what coverage.assess needs.
Reviewed by hand.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:30:29.499647
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('amount_approved', sa.Numeric(precision=12, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_column('amount_approved')
        batch_op.drop_column('cause')

