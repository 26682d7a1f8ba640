"""Search's two PostgreSQL queries, written in SQL: one ranks every kind, one shows a page.

Why SQL rather than the ORM: a search page used to build and compile six querysets (a ranking
per kind, then a ``UNION ALL`` of ``JSONObject`` with ``SearchHeadline`` to show the page) and
that took about as long in Python as the queries took in PostgreSQL. Here each query is a fixed
string (``%(name)s`` parameters; what the reader typed is only ever a parameter) assembled from the
parts of the kinds it needs.

``published``: each kind's public rows are the ones ``search.services.public_querysets`` gives
(``socialleaders.publishing.published_q`` on the row or on its interview), written out in
``_live``; ``tests/test_search.py`` checks the two agree on rows in every state.
"""

CONFIG = "'english'::regconfig"
TSQUERY = f"websearch_to_tsquery({CONFIG}, %(text)s)"

# ts_headline options, as Django's SearchHeadline writes them (search.query turns the private-use
# start/stop characters into <mark> tags): short fields whole, long ones as two fragments.
_MARKS = "StartSel='\ue000', StopSel='\ue001'"
HEADLINE_WHOLE = f"{_MARKS}, HighlightAll=true"
HEADLINE_FRAGMENTS = (
    f"{_MARKS}, MaxWords=40, MinWords=20, ShortWord=0, MaxFragments=2, FragmentDelimiter=' … '"
)


def _live(alias):
    """SQL: the interview or post ``alias`` is published now (``published_q``)."""
    return (
        f"{alias}.status = %(published)s AND {alias}.publish_at <= %(now)s"
        f" AND ({alias}.unpublish_at IS NULL OR {alias}.unpublish_at > %(now)s)"
    )


def _html_text(column):
    """Rendered HTML with its tags replaced by spaces (entities are decoded in Python)."""
    return f"regexp_replace(COALESCE({column}, ''), '<[^>]*>', ' ', 'g')"


def _headline(text, options):
    return f"ts_headline({CONFIG}, {text}, {TSQUERY}, %({options})s)"


# Each kind's public rows: (FROM, WHERE); "m" is the kind's own table.
PUBLIC = {
    "interviews": ("interviews_interview m", _live("m")),
    "answers": (
        "interviews_answer m JOIN interviews_interview i ON i.id = m.interview_id",
        _live("i"),
    ),
    "quotes": (
        "interviews_quote m LEFT JOIN interviews_interview i ON i.id = m.interview_id",
        f"(m.interview_id IS NULL OR ({_live('i')}))",
    ),
    # A leader with at least one published interview. A scalar subquery rather than EXISTS: the
    # planner turns EXISTS into a join that first hashes every published interview (3.5 ms at
    # 10,000), where this looks up the matching leaders' interviews by index (0.3 ms).
    "leaders": (
        "interviews_leader m",
        "(SELECT true FROM interviews_interview i"
        f" WHERE i.leader_id = m.id AND {_live('i')} LIMIT 1)",
    ),
    "posts": ("blog_post m", _live("m")),
}

# Step 1, per kind: (kind, pk, rank) of the best %(per_kind)s of the %(candidates)s newest
# matches. The inner query finds the newest matches (the planner walks the primary key backwards
# testing each row's stored vector, or reads every match from the GIN index and keeps the newest,
# whichever is cheaper for the words) and passes their vectors up, so that ts_rank reads each
# candidate once, after the LIMIT.
_RANK = """(
  SELECT '{kind}' AS kind, id, ts_rank(vector, {tsquery}) AS rank
  FROM (
    SELECT m.id, m.search_vector AS vector
    FROM {tables}
    WHERE m.search_vector @@ {tsquery} AND {public}
    ORDER BY m.id DESC
    LIMIT %(candidates)s
  ) AS newest
  ORDER BY rank DESC, id DESC
  LIMIT %(per_kind)s
)"""

RANK = {
    kind: _RANK.format(kind=kind, tables=tables, public=public, tsquery=TSQUERY)
    for kind, (tables, public) in PUBLIC.items()
}

# Step 2, per kind: (kind, pk, JSON of what the result shows) for the page's rows of that kind
# (%(<kind>)s: a list of primary keys). Rows unpublished since step 1 are left out.
_SHOW = """SELECT '{kind}' AS kind, m.id, jsonb_build_object({fields}) AS data
FROM {tables}
WHERE {where}"""

SHOW_PARTS = {
    "interviews": {
        "fields": {
            "title": "m.title",
            "slug": "m.slug",
            "standfirst": "m.standfirst",
            "leader_name": "l.name",
            "leader_honours": "l.honours",
            "date": "m.publish_at",
            "hl_title": _headline("m.title", "whole"),
            "hl_body": _headline(
                f"COALESCE(m.standfirst, '') || ' ' || {_html_text('m.introduction_html')}",
                "fragments",
            ),
        },
        "joins": "JOIN interviews_leader l ON l.id = m.leader_id",
    },
    "answers": {
        "fields": {
            "asked_as": "m.asked_as",
            "question_text": "q.text",
            "question_slug": "q.slug",
            "interview_slug": "i.slug",
            "interview_title": "i.title",
            "leader_name": "l.name",
            "leader_honours": "l.honours",
            "date": "i.publish_at",
            "hl_body": _headline(_html_text("m.body_html"), "fragments"),
        },
        "joins": (
            "JOIN interviews_leader l ON l.id = i.leader_id"
            " JOIN interviews_question q ON q.id = m.question_id"
        ),
    },
    "quotes": {
        "fields": {
            "text": "m.text",
            "leader_name": "l.name",
            "leader_honours": "l.honours",
            "leader_slug": "l.slug",
            "interview_id": "m.interview_id",
            "interview_slug": "i.slug",
            "interview_title": "i.title",
            "answer_id": "m.answer_id",
            "answer_interview_slug": "ai.slug",
            "answer_question_slug": "aq.slug",
            "hl_text": _headline("m.text", "whole"),
        },
        "joins": (
            "JOIN interviews_leader l ON l.id = m.leader_id"
            " LEFT JOIN interviews_answer a ON a.id = m.answer_id"
            " LEFT JOIN interviews_interview ai ON ai.id = a.interview_id"
            " LEFT JOIN interviews_question aq ON aq.id = a.question_id"
        ),
    },
    "leaders": {
        "fields": {
            "name": "m.name",
            "honours": "m.honours",
            "slug": "m.slug",
            "role": "m.role",
            "organisation": "m.organisation",
            "hl_name": _headline("m.name", "whole"),
            "hl_bio": _headline(
                "concat_ws('. ', NULLIF(m.role, ''), NULLIF(m.organisation, ''),"
                " NULLIF(m.bio, ''))",
                "fragments",
            ),
        },
        "joins": "",
    },
    "posts": {
        "fields": {
            "title": "m.title",
            "slug": "m.slug",
            "excerpt": "m.excerpt",
            "author_name": "au.name",
            "date": "m.publish_at",
            "hl_title": _headline("m.title", "whole"),
            "hl_body": _headline(
                f"COALESCE(m.excerpt, '') || ' ' || {_html_text('m.body_html')}", "fragments"
            ),
        },
        "joins": "JOIN blog_author au ON au.id = m.author_id",
    },
}

SHOW = {
    kind: _SHOW.format(
        kind=kind,
        fields=", ".join(f"'{key}', {value}" for key, value in part["fields"].items()),
        tables=f"{PUBLIC[kind][0]} {part['joins']}".strip(),
        where=f"m.id = ANY(%({kind})s) AND {PUBLIC[kind][1]}",
    )
    for kind, part in SHOW_PARTS.items()
}


# The statements start with SELECT (not with the parenthesis of a UNION's first part), so that
# anything sorting statements into reads and writes by their first word sees a read.


def rank_sql(kinds):
    """One query ranking each of ``kinds``: rows of (kind, pk, rank), each kind best first."""
    parts = "\nUNION ALL\n".join(RANK[kind] for kind in kinds)
    return f"SELECT kind, id, rank FROM (\n{parts}\n) AS ranked"


def show_sql(kinds):
    """One query showing the page's rows of each of ``kinds``: rows of (kind, pk, JSON)."""
    parts = "\nUNION ALL\n".join(f"({SHOW[kind]})" for kind in kinds)
    return f"SELECT kind, id, data FROM (\n{parts}\n) AS shown"
