"""queue: an index on messages (thread_id, channel) for the queue's channel
filter. Written by hand.

The filter is ``EXISTS (SELECT 1 FROM messages WHERE thread_id = threads.id
AND channel = :c)`` once per candidate thread. With only (thread_id,
received_at) each probe read every message of the thread from the heap to
check its channel; with this index a probe is an index-only lookup
(bench/queue.py, 1,000,000 messages: counting the open threads with an SMS
went from 309 ms to 99 ms, 12 ms with the queue's capped count).

On a large existing ``messages`` table the build blocks writes while it runs
(a revision runs in a transaction, so not CONCURRENTLY; about a second per
million messages here): build it beforehand with CREATE INDEX CONCURRENTLY
under the same name and this revision finds it (IF NOT EXISTS).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 13:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_messages_thread_channel', 'messages', ['thread_id', 'channel'],
                    unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_index('ix_messages_thread_channel', table_name='messages', if_exists=True)
