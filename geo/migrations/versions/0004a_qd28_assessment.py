"""QĐ 28/2025 assessment: approved lists, their communes, province settings, key drug routes

Revision ID: 0004a
Revises: 0003
Create Date: 2026-12-05 16:20:37

- ``assessment_lists``: versions of a province's list for an assessment year (draft or
  approved with the People's Committee's decision), one current per province, units
  edition and year (partial unique index); ``assessment_entries``: its communes.
- ``assessment_settings``: a province's cut-off day, drug-free target and rule overrides.
- ``drug_routes`` / ``drug_route_communes``: key drug routes approved by decision (QĐ 28
  Điều 3), intra- or inter-provincial, with the communes they run through.
"""
from alembic import op
import sqlalchemy as sa
import geo.store.schema


revision = '0004a'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=4), nullable=False),
    sa.Column('province_edition', sa.String(length=16), nullable=False),
    sa.Column('edition_id', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decision_no', sa.String(length=100), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rule_set', sa.String(length=60), nullable=False),
    sa.Column('rules', sa.Text(), nullable=True),
    sa.Column('province_class', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ),
    sa.ForeignKeyConstraint(['province_edition'], ['editions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment_lists', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_lists_key', ['province_code', 'province_edition', 'edition_id', 'year'], unique=False)
        batch_op.create_index('uq_assessment_lists_one_current', ['province_code', 'province_edition', 'edition_id', 'year'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('assessment_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=4), nullable=False),
    sa.Column('province_edition', sa.String(length=16), nullable=False),
    sa.Column('cutoff', sa.String(length=5), nullable=True),
    sa.Column('target_share', sa.Float(), nullable=True),
    sa.Column('target_year', sa.Integer(), nullable=True),
    sa.Column('target_source', sa.Text(), nullable=True),
    sa.Column('overrides', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['province_edition'], ['editions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment_settings', schema=None) as batch_op:
        batch_op.create_index('uq_assessment_settings_one_current', ['province_code', 'province_edition'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('drug_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=4), nullable=False),
    sa.Column('province_edition', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('decision_no', sa.String(length=100), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['province_edition'], ['editions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drug_routes', schema=None) as batch_op:
        batch_op.create_index('ix_drug_routes_province', ['province_code', 'province_edition'], unique=False)

    op.create_table('assessment_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=12), nullable=False),
    sa.Column('computed_class', sa.String(length=20), nullable=True),
    sa.Column('manual_class', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('final_class', sa.String(length=20), nullable=False),
    sa.Column('approved_class', sa.String(length=20), nullable=True),
    sa.Column('criteria', sa.Text(), nullable=True),
    sa.Column('adjusted_by', sa.String(length=80), nullable=True),
    sa.Column('adjusted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['assessment_lists.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_entries_list_id'), ['list_id'], unique=False)

    op.create_table('drug_route_communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['drug_routes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drug_route_communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drug_route_communes_route_id'), ['route_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('drug_route_communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drug_route_communes_route_id'))

    op.drop_table('drug_route_communes')
    with op.batch_alter_table('assessment_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_entries_list_id'))

    op.drop_table('assessment_entries')
    with op.batch_alter_table('drug_routes', schema=None) as batch_op:
        batch_op.drop_index('ix_drug_routes_province')

    op.drop_table('drug_routes')
    with op.batch_alter_table('assessment_settings', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_settings_one_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.drop_table('assessment_settings')
    with op.batch_alter_table('assessment_lists', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_lists_one_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index('ix_assessment_lists_key')

    op.drop_table('assessment_lists')
