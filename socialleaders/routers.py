"""Database routing for read replicas (``DATABASE_REPLICA_URLS``; see ``socialleaders.replica``).

Only installed (``DATABASE_ROUTERS``) when replicas are configured. Writes go to the primary
(``default``); reads go to the replica the request was given, unless the request must read from
the primary (``socialleaders.replica.read_alias``).
"""

from django.db import DEFAULT_DB_ALIAS

from socialleaders import replica


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return replica.read_alias()

    def db_for_write(self, model, **hints):
        # (A request's first write pins its later reads to the primary: see socialleaders.replica.)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the same rows as the primary: an object read from one may be related
        # to an object read from another.
        databases = {DEFAULT_DB_ALIAS, *replica.replica_aliases()}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas get the schema from the primary through replication.
        return db == DEFAULT_DB_ALIAS
