"""data protection: when a customer was erased on request, and when raw mail
or an attachment (a call recording) was removed by the retention policy
(inbox.privacy). Written by hand.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('erased_at', db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('raw_removed_at', db.UTCDateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('removed_at', db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.drop_column('removed_at')
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('raw_removed_at')
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('erased_at')
