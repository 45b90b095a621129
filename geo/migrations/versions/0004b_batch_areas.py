"""Batch areas, province limits with their edition, login throttling

Revision ID: 0004b
Revises: 0003
Create Date: 2026-12-05 10:00:00

- ``batch_areas``: the ``(edition, province)`` pairs every import batch touches, so
  that history, view and undo can check them against a user's area (facility,
  hotspot and population batches had no province; a code alone is ambiguous: 15 is
  Yên Bái before 1 July 2025 and Lào Cai after). Existing batches are filled from
  their rows: values, boundaries and hotspots by their communes' provinces (units
  table), facilities by their province code read as the 2025 province when the 2025
  registry has that code (as imports and pages have read codes since issue 12), and
  a batch with no such row by its own ``province_code`` read the same way.
- ``users.province_edition``: the edition an account's province limit is read in.
  Existing limited accounts got their code from ``geo.auth.province_code``, which
  reads the legacy registry first: they are set to ``legacy``.
- ``login_throttle``: failed logins per source and per account and until when each
  must wait (growing delays instead of a lock anyone could set off); the automatic
  locks still running (``users.locked_until``) are lifted.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004b'
down_revision = '0003'
branch_labels = None
depends_on = None


def _edition_of_code(column: str) -> str:
    """SQL: '2025' when the 2025 registry has province ``column``, else 'legacy'."""
    return (f"CASE WHEN EXISTS (SELECT 1 FROM units p WHERE p.edition_id = '2025' "
            f"AND p.level = 'province' AND p.code = {column}) THEN '2025' ELSE 'legacy' END")


def upgrade() -> None:
    op.create_table('batch_areas',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.String(length=16), nullable=False),
    sa.Column('province_code', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], ),
    sa.PrimaryKeyConstraint('batch_id', 'edition_id', 'province_code')
    )
    with op.batch_alter_table('batch_areas', schema=None) as batch_op:
        batch_op.create_index('ix_batch_areas_province', ['edition_id', 'province_code'],
                              unique=False)
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure', sa.DateTime(timezone=True), nullable=True),
    sa.Column('wait_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_edition', sa.String(length=16), nullable=True))
    op.execute("UPDATE users SET province_edition = 'legacy' WHERE province_code IS NOT NULL")
    # Locks were set by failed logins alone (anyone could set them off): lift them.
    op.execute("UPDATE users SET locked_until = NULL")

    def by_units(table: str, alias: str, join: str = "", src: str | None = None) -> str:
        src = src or alias
        return (f"SELECT {alias}.batch_id AS batch_id, {src}.edition_id AS edition_id, "
                f"u.province_code AS province_code FROM {table} {alias} {join} "
                f"JOIN units u ON u.edition_id = {src}.edition_id AND u.code = {src}.unit_code "
                f"AND u.level = 'commune' WHERE {alias}.batch_id IS NOT NULL")

    parts = [
        by_units("indicator_values", "v"),
        by_units("boundaries", "b"),
        by_units("hotspots", "h"),
        by_units("hotspot_events", "e", "JOIN hotspots h ON h.id = e.hotspot_id", "h"),
        ("SELECT f.batch_id AS batch_id, " + _edition_of_code("f.province_code")
         + " AS edition_id, f.province_code AS province_code FROM facilities f "
         "WHERE f.batch_id IS NOT NULL"),
    ]
    op.execute("INSERT INTO batch_areas (batch_id, edition_id, province_code) "
               + " UNION ".join(parts))
    op.execute("INSERT INTO batch_areas (batch_id, edition_id, province_code) "
               "SELECT b.id, " + _edition_of_code("b.province_code") + ", b.province_code "
               "FROM import_batches b WHERE b.province_code IS NOT NULL AND NOT EXISTS "
               "(SELECT 1 FROM batch_areas a WHERE a.batch_id = b.id)")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('province_edition')
    op.drop_table('login_throttle')
    with op.batch_alter_table('batch_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_areas_province')
    op.drop_table('batch_areas')
