"""Query expressions every app shares."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model, fk, **filters):
    """How many ``model`` rows (matching ``filters``) point at the outer row through ``fk``, as a
    correlated subquery: no GROUP BY on the outer query, so counts do not multiply each other's
    rows and the queryset can still be locked with select_for_update() (docs/frontend.md)."""
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
