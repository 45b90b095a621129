"""Boundary source CRS as text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00

``boundaries.source_crs`` was ``VARCHAR(64)``: enough for ``EPSG:9206`` but not for
the WKT kept when a file's CRS has no EPSG code (a hand-written VN-2000 ``.prj``
with ``+towgs84`` is ~600 characters). SQLite stored it anyway; PostgreSQL refused
the whole import ("value too long for type character varying(64)").
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('boundaries', schema=None) as batch_op:
        batch_op.alter_column('source_crs', existing_type=sa.String(length=64),
                              type_=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    # Longer values are cut to 64 characters: PostgreSQL would refuse them otherwise.
    op.execute("UPDATE boundaries SET source_crs = substr(source_crs, 1, 64) "
               "WHERE length(source_crs) > 64")
    with op.batch_alter_table('boundaries', schema=None) as batch_op:
        batch_op.alter_column('source_crs', existing_type=sa.Text(),
                              type_=sa.String(length=64), existing_nullable=True)
