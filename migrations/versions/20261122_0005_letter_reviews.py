"""letter reviews: scanned letters a person must identify.
Reviewed by hand.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:55:50.472613
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_reviews',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_customer_id', sa.Integer(), nullable=True),
    sa.Column('chosen_customer_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['chosen_customer_id'], ['customers.id'], name=op.f('fk_letter_reviews_chosen_customer_id_customers')),
    sa.ForeignKeyConstraint(['filed_customer_id'], ['customers.id'], name=op.f('fk_letter_reviews_filed_customer_id_customers')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_letter_reviews_message_id_messages')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_letter_reviews_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_reviews')),
    sa.UniqueConstraint('message_id', name=op.f('uq_letter_reviews_message_id'))
    )
    with op.batch_alter_table('letter_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_letter_reviews_status', ['status', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('letter_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_reviews_status')

    op.drop_table('letter_reviews')
