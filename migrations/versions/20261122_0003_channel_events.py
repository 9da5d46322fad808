"""channel events: raw Twilio webhooks (call status, recording, transcription,
SMS) stored as posted before filing, unique on a hash of the form so a replay
stores nothing new. Reviewed by hand.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:55:14.099033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_events',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('parent_sid', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=64), nullable=False),
    sa.Column('received_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_events')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_channel_events_dedupe_key'))
    )
    with op.batch_alter_table('channel_events', schema=None) as batch_op:
        batch_op.create_index('ix_channel_events_parent_sid', ['channel', 'parent_sid'], unique=False)
        batch_op.create_index('ix_channel_events_pending', ['processed_at', 'received_at'], unique=False)
        batch_op.create_index('ix_channel_events_sid', ['channel', 'sid'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('channel_events', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_events_sid')
        batch_op.drop_index('ix_channel_events_pending')
        batch_op.drop_index('ix_channel_events_parent_sid')

    op.drop_table('channel_events')
