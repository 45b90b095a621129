"""API tokens, one current row per key, wider plan target kinds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:00:00

- ``api_tokens``: tokens an admin creates for a user's scripts (SHA-256 only).
- ``uq_values_one_current`` / ``uq_boundaries_one_current``: partial unique
  indexes, so two imports racing on the same keys can never leave two current
  rows (PostgreSQL and SQLite both support ``WHERE`` on an index).
- ``plan_targets.kind`` 20 → 40 characters: PostgreSQL enforces VARCHAR
  lengths ("hotspots_transformed_min" has 24), SQLite never did.
"""
from alembic import op
import sqlalchemy as sa
import geo.store.schema


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_sha256')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20),
                              type_=sa.String(length=40), existing_nullable=False)

    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index('uq_values_one_current',
                              ['edition_id', 'unit_code', 'period', 'indicator_id'], unique=True,
                              sqlite_where=sa.text('is_current'),
                              postgresql_where=sa.text('is_current'))
    with op.batch_alter_table('boundaries', schema=None) as batch_op:
        batch_op.create_index('uq_boundaries_one_current', ['edition_id', 'unit_code'],
                              unique=True, sqlite_where=sa.text('is_current'),
                              postgresql_where=sa.text('is_current'))


def downgrade() -> None:
    with op.batch_alter_table('boundaries', schema=None) as batch_op:
        batch_op.drop_index('uq_boundaries_one_current')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index('uq_values_one_current')
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=40),
                              type_=sa.String(length=20), existing_nullable=False)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
