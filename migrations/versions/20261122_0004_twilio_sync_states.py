"""twilio sync states: the reconciliation watermark per Twilio account.
Reviewed by hand.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('twilio_sync_states',
    sa.Column('account_sid', sa.String(length=34), nullable=False),
    sa.Column('watermark', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('last_attempt_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_twilio_sync_states')),
    sa.UniqueConstraint('account_sid', name=op.f('uq_twilio_sync_states_account_sid'))
    )


def downgrade() -> None:
    op.drop_table('twilio_sync_states')
