"""The benchmark's data set, made up from word lists and deterministic for a ``--seed``.

    manage.py generate_bench_data              # 10,000 interviews, 500,000 comments...
    manage.py generate_bench_data --scale 0.03 # 300 interviews: the "constant queries" check

What it holds at each scale and how it is written: docs/benchmarks.md.
"""

import random
import time
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from bench.config import SHOWCASE_SLUG
from blog.models import Author, Post
from comments.models import Comment
from interviews.models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Platform,
    Question,
    Quote,
    Series,
    SocialAccount,
    Theme,
    ThemedInterview,
)
from socialleaders.cache import content_changed
from socialleaders.publishing import Status

SHOWCASE_COMMENTS = 200
FULL = {
    "leaders": 2_000,
    "interviews": 10_000,
    "posts": 20_000,
    "comments": 500_000,
    "quotes": 5_000,
}
THEMES = 50
PLATFORMS = 12
ANSWERS_PER_INTERVIEW = 6
BATCH = 5_000


def words(text):
    return text.split()


FIRST_NAMES = words(
    "Aisha Alex Amara Andrew Anita Ben Bethan Carys Catherine Chloe Daniel David Deborah Eleanor "
    "Emma Fatima Fiona Gareth George Grace Hannah Harriet Ian Imran Isla James Jane Jo John "
    "Jonathan Julia Karen Kate Keith Laura Liam Lucy Mark Martin Mei Michael Mohammed Nadia Neil "
    "Nicola Oliver Olivia Owen Paul Priya Rachel Rhys Richard Robert Ruth Sam Sarah Sean Simon "
    "Sophie Stephen Susan Tom Victoria William Yasmin Zoe"
)
LAST_NAMES = words(
    "Adams Ahmed Ali Allen Bailey Baker Barnes Bell Bennett Brown Campbell Carter Chen Clarke "
    "Collins Cooper Davies Edwards Evans Fisher Foster Green Griffiths Hall Harris Hughes Jackson "
    "James Jenkins Johnson Jones Kaur Kelly Khan King Lewis Lloyd Martin Mason Mitchell Moore "
    "Morgan Morris Murphy Owen Parker Patel Phillips Price Roberts Robinson Rogers Scott Shaw "
    "Singh Smith Stewart Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson "
    "Wood Wright Young"
)
HONOURS = ["", "", "", "", "", "OBE", "MBE", "CBE", "DL", "FRSA"]
ROLES = [
    "Chief Executive",
    "Director of Children's Services",
    "Chief Constable",
    "Head Teacher",
    "Director of Public Health",
    "Leader of the Council",
    "Chief Fire Officer",
    "Managing Director",
    "Director of Communications",
    "Chair",
    "Vice-Chancellor",
    "Chief Nurse",
]
PLACES = words(
    "Ashford Bexley Bradford Brighton Bristol Cardiff Cheshire Cornwall Croydon Derby Devon "
    "Dorset Durham Essex Exeter Gloucester Hackney Hampshire Kent Kirklees Lambeth Leeds "
    "Leicester Lincoln Liverpool Manchester Newcastle Norfolk Nottingham Oxford Plymouth "
    "Salford Sheffield Somerset Suffolk Sunderland Surrey Swindon Wakefield Wigan Wirral York"
)
ORG_KINDS = [
    "City Council",
    "County Council",
    "Police",
    "Fire and Rescue Service",
    "NHS Trust",
    "Housing Association",
    "University",
    "Academy Trust",
    "Chamber of Commerce",
    "Community Foundation",
]
SECTORS = [
    "Local government",
    "Policing",
    "Health",
    "Education",
    "Housing",
    "Charity",
    "Business",
    "Fire and rescue",
]
PLATFORM_NAMES = [
    "Twitter",
    "LinkedIn",
    "Facebook",
    "Instagram",
    "YouTube",
    "Blogs",
    "TikTok",
    "Mastodon",
    "Bluesky",
    "Threads",
    "Yammer",
    "Podcasts",
]
THEME_WORDS = words(
    "time trust listening authenticity visibility leadership-voice boundaries tone humour "
    "crisis recruitment engagement storytelling openness criticism trolls privacy family "
    "weekends mobile photos video learning networks peers mentoring influence reputation "
    "accountability transparency feedback community staff-voice partnership campaigns "
    "wellbeing resilience consistency personality humility celebration recognition "
    "conversation questions curiosity courage risk policy guidance training habit"
)
QUESTIONS = [
    ("Why do you use social media as a leader?", "Why", "why"),
    ("Which platform do you use most, and why?", "Favourite platform", "favourite-platform"),
    ("How do you find the time?", "Finding the time", "finding-the-time"),
    ("What has surprised you most?", "Surprises", "surprises"),
    ("How do you handle criticism online?", "Criticism", "criticism"),
    ("What should you never do?", "Never", "never"),
    ("How has it changed your organisation?", "Change", "change"),
    ("What is your advice to other leaders?", "Advice", "advice"),
]
SUBJECTS = [
    "Being visible",
    "Listening first",
    "A short post from the front line",
    "Answering questions in public",
    "Sharing what the team achieved",
    "A photo from a school visit",
    "Thanking people by name",
    "Admitting what went wrong",
    "Talking to residents directly",
    "A weekly round-up",
    "Joining the conversation late at night",
    "Explaining a hard decision",
]
VERBS = [
    "builds",
    "changes",
    "opens up",
    "strengthens",
    "humanises",
    "reshapes",
    "tests",
    "rewards",
    "sharpens",
    "slowly earns",
]
OBJECTS = [
    "trust with the people we serve",
    "the way staff see the leadership team",
    "our relationship with local journalists",
    "how quickly we hear about problems",
    "the reputation of the whole service",
    "my own understanding of the community",
    "conversations that used to take months",
    "the morale of colleagues on the ground",
    "a sense that we are approachable",
    "the quality of feedback we receive",
]
QUALIFIERS = [
    "more than any press release ever did",
    "if you keep at it every week",
    "as long as you are honest",
    "even when the news is bad",
    "although it took me a year to see it",
    "and nobody told me that at the start",
    "which is why I keep doing it",
    "without costing very much at all",
    "in ways I did not expect",
    "so long as it is really you writing",
]
OPENERS = [
    "Honestly,",
    "In my experience,",
    "For me,",
    "What I have learned is that",
    "I would say",
    "Looking back,",
    "Day to day,",
    "",
    "",
    "",
]
COMMENT_LINES = [
    "This really chimes with my own experience.",
    "Thank you for writing this, it is useful to share with my team.",
    "I am not sure I agree about the time it takes.",
    "Great point about listening before posting.",
    "We tried something similar and it worked well.",
    "Could you say more about how you handle the trolls?",
    "Sharing this with our leadership group on Monday.",
    "The bit about weekends is so true.",
    "Interesting, but what about smaller organisations?",
    "A timely piece, thank you.",
]


class Writer:
    """Made-up but readable text, deterministic for a seed."""

    def __init__(self, rng):
        self.rng = rng

    def sentence(self):
        r = self.rng
        opener = r.choice(OPENERS)
        subject = r.choice(SUBJECTS)
        if opener:
            subject = subject[0].lower() + subject[1:]
        text = f"{subject} {r.choice(VERBS)} {r.choice(OBJECTS)}, {r.choice(QUALIFIERS)}."
        return f"{opener} {text}" if opener else text

    def paragraph(self, sentences=(2, 5)):
        return " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))

    def paragraphs(self, count=(2, 4)):
        return [self.paragraph() for _ in range(self.rng.randint(*count))]


def as_markdown_and_html(paragraphs):
    return "\n\n".join(paragraphs), "\n".join(f"<p>{p}</p>" for p in paragraphs)


class Command(BaseCommand):
    help = "Generate the benchmark's large data set (see docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the big counts (1 = 10,000 interviews; 0.03 = 300 interviews).",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed.")

    def handle(self, *args, scale, seed, verbosity=1, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if Post.objects.filter(slug=SHOWCASE_SLUG).exists():
            raise CommandError(
                "This database already holds benchmark data; use a fresh database "
                "(createdb, then manage.py migrate)."
            )
        self.rng = random.Random(seed)
        self.writer = Writer(self.rng)
        self.verbosity = verbosity
        self.now = timezone.now()
        counts = {name: max(1, round(n * scale)) for name, n in FULL.items()}
        counts["comments"] = max(counts["comments"], SHOWCASE_COMMENTS + 1)
        counts["leaders"] = min(counts["leaders"], counts["interviews"])
        started = time.monotonic()
        with transaction.atomic():
            self.reference_data()
            leaders = self.make_leaders(counts["leaders"])
            interviews = self.make_interviews(counts["interviews"], leaders)
            answers = self.make_answers(interviews)
            self.make_quotes(counts["quotes"], interviews, answers)
            posts = self.make_posts(counts["posts"])
            self.make_comments(counts["comments"], posts, interviews)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM also fills the visibility map, so counts can be answered from indexes
                # alone (index-only scans); it cannot run inside a transaction (e.g. in a test).
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        content_changed()  # bulk_create sends no signals: make cached pages stale ourselves
        self.log(
            f"done in {time.monotonic() - started:.0f}s: "
            + ", ".join(
                f"{model.__name__} {model.objects.count():,}"
                for model in (Leader, Interview, Answer, Quote, Post, Comment)
            )
        )

    def log(self, message):
        if self.verbosity:
            self.stdout.write(message)

    def bulk(self, model, objects):
        created = []
        for start in range(0, len(objects), BATCH):
            created.extend(model.objects.bulk_create(objects[start : start + BATCH]))
        self.log(f"  {model.__name__}: {len(objects):,}")
        return created

    def past(self, max_days=3650):
        return self.now - timedelta(minutes=self.rng.randint(60, max_days * 24 * 60))

    def publishing(self):
        """Mostly published in the past; a few drafts, a few scheduled for the coming weeks."""
        roll = self.rng.random()
        if roll < 0.03:
            return Status.DRAFT, self.past()
        if roll < 0.05:
            return Status.PUBLISHED, self.now + timedelta(hours=self.rng.randint(1, 24 * 30))
        return Status.PUBLISHED, self.past()

    # Reference data: the same at every scale ------------------------------------------------

    def reference_data(self):
        self.platforms = list(Platform.objects.all())
        existing = {p.slug for p in self.platforms}
        new = [
            Platform(name=name, slug=slugify(name), description=self.writer.sentence())
            for name in PLATFORM_NAMES[:PLATFORMS]
            if slugify(name) not in existing
        ]
        self.platforms += self.bulk(Platform, new)

        self.themes = list(Theme.objects.all())
        existing = {t.slug for t in self.themes}
        new = []
        for word in THEME_WORDS[:THEMES]:
            name = word.replace("-", " ").capitalize()
            if slugify(name) not in existing:
                new.append(Theme(name=name, slug=slugify(name), description=self.writer.sentence()))
        self.themes += self.bulk(Theme, new)

        self.questions = list(Question.objects.all())
        existing = {q.slug for q in self.questions}
        new = [
            Question(text=text, label=label, slug=slug, order=i)
            for i, (text, label, slug) in enumerate(QUESTIONS, start=1)
            if slug not in existing
        ]
        self.questions += self.bulk(Question, new)
        if len(self.questions) < ANSWERS_PER_INTERVIEW:
            raise CommandError("Not enough questions to give every interview six answers.")

        series = []
        for n in range(20):
            intro, intro_html = as_markdown_and_html(self.writer.paragraphs((1, 2)))
            series.append(
                Series(
                    title=f"Leaders in {PLACES[n % len(PLACES)]} ({n + 1})",
                    slug=f"bench-series-{n + 1}",
                    introduction=intro,
                    introduction_html=intro_html,
                )
            )
        self.series = self.bulk(Series, series)

        authors = []
        for n in range(25):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            authors.append(
                Author(name=name, slug=f"{slugify(name)}-{n}", bio=self.writer.paragraph())
            )
        self.authors = self.bulk(Author, authors)

        tags = []
        for n, word in enumerate(THEME_WORDS * 3):
            name = f"{word.replace('-', ' ')} {n // len(THEME_WORDS) + 1}"
            tags.append(Tag(name=name, slug=f"bench-{slugify(name)}"))
        self.tags = self.bulk(Tag, tags)

    # Interviews ------------------------------------------------------------------------------

    def make_leaders(self, count):
        leaders, accounts = [], []
        for n in range(count):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            place = self.rng.choice(PLACES)
            leaders.append(
                Leader(
                    name=name,
                    honours=self.rng.choice(HONOURS),
                    slug=f"{slugify(name)}-{n + 1}",
                    role=self.rng.choice(ROLES),
                    organisation=f"{place} {self.rng.choice(ORG_KINDS)}",
                    sector=self.rng.choice(SECTORS),
                    bio=self.writer.paragraph(),
                )
            )
        leaders = self.bulk(Leader, leaders)
        for leader in leaders:
            handle = "@" + slugify(leader.name).replace("-", "")[:12] + str(leader.pk)
            for platform in self.rng.sample(self.platforms, self.rng.randint(1, 3)):
                accounts.append(SocialAccount(leader=leader, platform=platform, handle=handle))
        self.bulk(SocialAccount, accounts)
        return leaders

    def make_interviews(self, count, leaders):
        interviews = []
        series_next = {s.pk: 1 for s in self.series}
        topics = [q[1].lower() for q in QUESTIONS] + [p.name for p in self.platforms]
        for n in range(count):
            leader = leaders[n % len(leaders)]
            status, publish_at = self.publishing()
            intro, intro_html = as_markdown_and_html(self.writer.paragraphs((1, 3)))
            closing, closing_html = as_markdown_and_html([self.writer.paragraph((1, 2))])
            series = self.rng.choice(self.series) if self.rng.random() < 0.6 else None
            order = None
            if series is not None:
                order = series_next[series.pk]
                series_next[series.pk] += 1
            title = f"{leader.name} on {self.rng.choice(topics)}"
            interviews.append(
                Interview(
                    leader=leader,
                    series=series,
                    series_order=order,
                    title=title,
                    slug=f"{slugify(title)}-{n + 1}"[:200],
                    standfirst=self.writer.sentence(),
                    introduction=intro,
                    introduction_html=intro_html,
                    closing=closing,
                    closing_html=closing_html,
                    status=status,
                    publish_at=publish_at,
                )
            )
        interviews = self.bulk(Interview, interviews)

        themed, uses = [], []
        for interview in interviews:
            for theme in self.rng.sample(self.themes, 3):
                themed.append(ThemedInterview(content_object=interview, tag=theme))
            chosen = self.rng.sample(self.platforms, self.rng.randint(2, 4))
            for i, platform in enumerate(chosen):
                uses.append(
                    InterviewPlatform(interview=interview, platform=platform, is_favourite=i == 0)
                )
        self.bulk(ThemedInterview, themed)
        self.bulk(InterviewPlatform, uses)
        return interviews

    def make_answers(self, interviews):
        answers = []
        for interview in interviews:
            questions = sorted(
                self.rng.sample(self.questions, ANSWERS_PER_INTERVIEW), key=lambda q: q.order
            )
            for order, question in enumerate(questions, start=1):
                body, body_html = as_markdown_and_html(self.writer.paragraphs())
                answers.append(
                    Answer(
                        interview=interview,
                        question=question,
                        body=body,
                        body_html=body_html,
                        order=order,
                    )
                )
        return self.bulk(Answer, answers)

    def make_quotes(self, count, interviews, answers):
        by_pk = {interview.pk: interview for interview in interviews}
        quotes = []
        for n in range(count):
            answer = answers[(n * 7919) % len(answers)]  # spread over interviews, no repeats
            interview = by_pk[answer.interview_id]
            quotes.append(
                Quote(
                    text=self.writer.sentence(),
                    leader_id=interview.leader_id,
                    interview=interview,
                    answer=answer,
                    featured=n < 12,
                    order=n,
                )
            )
        # (leader, text) is unique: redraw the rare duplicate.
        seen = set()
        for quote in quotes:
            while (quote.leader_id, quote.text) in seen:
                quote.text = self.writer.sentence()
            seen.add((quote.leader_id, quote.text))
        self.bulk(Quote, quotes)

    # Blog ------------------------------------------------------------------------------------

    def make_posts(self, count):
        posts = []
        for n in range(count):
            status, publish_at = self.publishing()
            if n == 0:  # the showcase post for the comments page
                status, publish_at = Status.PUBLISHED, self.now - timedelta(days=2)
            title = (
                "What readers told us: two hundred comments"
                if n == 0
                else f"{self.rng.choice(SUBJECTS)} {self.rng.choice(VERBS)} "
                f"{self.rng.choice(OBJECTS)}"
            )
            body, body_html = as_markdown_and_html(self.writer.paragraphs((3, 7)))
            posts.append(
                Post(
                    title=title[:200],
                    slug=SHOWCASE_SLUG if n == 0 else f"{slugify(title)}-{n}"[:200],
                    author=self.rng.choice(self.authors),
                    excerpt=self.writer.sentence(),
                    body=body,
                    body_html=body_html,
                    status=status,
                    publish_at=publish_at,
                )
            )
        posts = self.bulk(Post, posts)
        post_type = ContentType.objects.get_for_model(Post)
        tagged = [
            TaggedItem(tag=tag, content_type=post_type, object_id=post.pk)
            for post in posts
            for tag in self.rng.sample(self.tags, 2)
        ]
        self.bulk(TaggedItem, tagged)
        return posts

    def make_comments(self, count, posts, interviews):
        """Threaded comments with ids chosen here, so replies can point at their parents in the
        same batch; the id sequence is moved on afterwards."""
        next_id = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        comments = []

        def thread(target, how_many, approved_only=False):
            nonlocal next_id
            ids = []
            for _ in range(how_many):
                parent = None
                if ids and self.rng.random() < 0.45:
                    parent = self.rng.choice(ids[-20:])
                status = Comment.Status.APPROVED
                if not approved_only:
                    roll = self.rng.random()
                    if roll < 0.05:
                        status = Comment.Status.PENDING
                    elif roll < 0.08:
                        status = Comment.Status.SPAM
                name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
                comments.append(
                    Comment(
                        id=next_id,
                        parent_id=parent,
                        name=name,
                        email=f"{slugify(name)}@example.org",
                        body=" ".join(self.rng.sample(COMMENT_LINES, self.rng.randint(1, 3))),
                        status=status,
                        created_at=self.past(365),
                        **target,
                    )
                )
                ids.append(next_id)
                next_id += 1

        thread({"post_id": posts[0].pk}, SHOWCASE_COMMENTS, approved_only=True)
        remaining = count - SHOWCASE_COMMENTS
        on_interviews = remaining // 10
        targets = [("post_id", p.pk) for p in posts[1:]] or [("post_id", posts[0].pk)]
        per_post = self.spread(remaining - on_interviews, len(targets))
        for (field, pk), n in zip(targets, per_post, strict=True):
            thread({field: pk}, n)
        per_interview = self.spread(on_interviews, len(interviews))
        for interview, n in zip(interviews, per_interview, strict=True):
            thread({"interview_id": interview.pk}, n)

        for start in range(0, len(comments), BATCH):
            Comment.objects.bulk_create(comments[start : start + BATCH])
        self.log(f"  Comment: {len(comments):,}")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
                cursor.execute(sql)

    def spread(self, total, buckets):
        """``total`` split over ``buckets`` unevenly (some posts are popular), summing exactly."""
        if total <= 0:
            return [0] * buckets
        weights = [self.rng.paretovariate(1.5) for _ in range(buckets)]
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in range(total - sum(counts)):
            counts[i % buckets] += 1
        if total > buckets * (SHOWCASE_COMMENTS - 1):
            return counts
        # No single ordinary thread larger than the showcase one.
        overflow = 0
        for i, c in enumerate(counts):
            if c > SHOWCASE_COMMENTS - 1:
                overflow += c - (SHOWCASE_COMMENTS - 1)
                counts[i] = SHOWCASE_COMMENTS - 1
        i = 0
        while overflow:
            room = SHOWCASE_COMMENTS - 1 - counts[i % buckets]
            take = min(room, overflow)
            counts[i % buckets] += take
            overflow -= take
            i += 1
        return counts
