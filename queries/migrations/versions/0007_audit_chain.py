"""The audit log's hash chain: every existing entry is signed in id order (prev_hash, row_hash) and
the chain's one row is written, so new databases and upgraded ones start from a sound chain.

The hash is HMAC-SHA256 with the product's secret (``queries.crypto``, purpose "audit") over
``domain.audit_chain.canonical``; an upgrade therefore needs the same ``JCY_HASH_KEY`` (or
``data/hash.key``) as the apps that will verify the chain.

Revision ID: 0007_audit_chain
Revises: 0006_accounts
"""
import sqlalchemy as sa
from alembic import op

from domain.audit_chain import GENESIS, Entry, canonical
from queries.crypto import keyed_hash

revision = "0007_audit_chain"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None

# The tables as this migration knows them (typed, so a time reads back as a datetime on SQLite).
log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer), sa.column("at", sa.DateTime), sa.column("actor", sa.String),
    sa.column("actor_role", sa.String), sa.column("actor_procuratorate", sa.String),
    sa.column("client_addr", sa.String), sa.column("event", sa.String), sa.column("target", sa.String),
    sa.column("result", sa.String), sa.column("detail", sa.String), sa.column("prev_hash", sa.String),
    sa.column("row_hash", sa.String),
)
chain = sa.table(
    "audit_chain",
    sa.column("id", sa.Integer), sa.column("last_id", sa.Integer), sa.column("last_hash", sa.String),
    sa.column("base_id", sa.Integer), sa.column("base_hash", sa.String), sa.column("exported_through", sa.Integer),
)
BATCH = 5000


def upgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.delete(chain))
    prev, last_id = GENESIS, 0
    fields = [log.c[n] for n in ("id", "at", "actor", "actor_role", "actor_procuratorate", "client_addr",
                                 "event", "target", "result", "detail")]
    while True:  # in pages by id: no cursor stays open on the table being updated
        rows = conn.execute(sa.select(*fields).where(log.c.id > last_id).order_by(log.c.id).limit(BATCH)).all()
        if not rows:
            break
        updates = []
        for r in rows:
            h = keyed_hash(canonical(Entry(*r, prev_hash=prev)), "audit")
            updates.append({"i": r.id, "p": prev, "h": h})
            prev, last_id = h, r.id
        conn.execute(sa.update(log).where(log.c.id == sa.bindparam("i"))
                     .values(prev_hash=sa.bindparam("p"), row_hash=sa.bindparam("h")), updates)
    conn.execute(sa.insert(chain).values(id=1, last_id=last_id, last_hash=prev, base_id=0, base_hash=GENESIS,
                                         exported_through=0))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.delete(chain))
    conn.execute(sa.update(log).values(prev_hash=None, row_hash=None))
