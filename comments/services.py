"""What happens to a comment: checks, moderation rules, storing, notifications.

Views call these functions; nothing here knows about forms or templates. Emails go to the job
queue after the transaction commits (``socialleaders.mail.send_later``), which retries temporary
refusals; one failure never stops the others and is logged, and never undoes the comment that
caused it.
"""

import hashlib
import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from socialleaders.cache import content_changed
from socialleaders.cachetags import rows_tags
from socialleaders.mail import send_later

from . import conf
from .models import Comment, ModerationSettings, Subscription
from .text import count_links

logger = logging.getLogger("comments")

TARGET_KINDS = ("post", "interview")  # what a comment can be on: its foreign keys' names
MODERATION_SALT = "comments.moderate"


class CommentRefused(Exception):
    """A comment that cannot be accepted; the message is shown to the writer."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class CommentsClosed(CommentRefused):
    status = 403


class Flood(CommentRefused):
    status = 429


class Duplicate(CommentRefused):
    status = 409


# Targets -----------------------------------------------------------------------------------


def target_type(target):
    return target._meta.model_name


def get_target(kind, pk):
    """A published post or interview, or 404: nobody comments on a draft."""
    if kind not in TARGET_KINDS:
        raise Http404("Nothing to comment on here.")
    model = Comment._meta.get_field(kind).related_model
    try:
        return model.objects.published().get(pk=pk)
    except model.DoesNotExist:
        raise Http404("Nothing to comment on here.") from None


def closed_reason(target, policy=None, now=None):
    """Why comments on the target are closed, or "" when they are open."""
    policy = policy or ModerationSettings.load()
    now = now or timezone.now()
    if not policy.comments_enabled:
        return "Comments are closed across the site for now."
    if not target.is_published(now):  # a preview, or the leader's approval page
        return "Comments open once this is published."
    kind = target_type(target)
    if kind == "interview" and not policy.interviews_open:
        return "Comments are closed on interviews."
    if not target.comments_open:
        return f"Comments are closed on this {kind}."
    if policy.close_after_days and target.publish_at < now - timedelta(
        days=policy.close_after_days
    ):
        return f"Comments close {policy.close_after_days} days after publication."
    return ""


def comments_open(target, policy=None, now=None):
    return not closed_reason(target, policy, now)


# The sender --------------------------------------------------------------------------------


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the right-most address in the header named by
    COMMENTS_TRUSTED_PROXY_HEADER (only set that behind a proxy that writes it)."""
    header = conf.get("COMMENTS_TRUSTED_PROXY_HEADER")
    candidates = []
    if header:
        raw = request.META.get(header, "")
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if parts:
            candidates.append(parts[-1])
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None


def _digest(value):
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def check_flood(ip, email, scope="comment"):
    """Refuse a second comment from the same IP address or email within the flood interval.
    Uses the shared cache's atomic add, so concurrent requests cannot both slip through. If the
    cache is down the comment is let through (and the failure logged)."""
    seconds = conf.get("COMMENTS_FLOOD_SECONDS")
    if not seconds:
        return
    keys = [f"comments:flood:{scope}:email:{_digest(email.lower())}"]
    if ip:
        keys.insert(0, f"comments:flood:{scope}:ip:{_digest(ip)}")
    added = []
    for key in keys:
        try:
            fresh = cache.add(key, 1, timeout=seconds)
        except Exception:
            logger.exception("flood check skipped: the cache is unavailable")
            return
        if fresh:
            added.append(key)
            continue
        # A refused submission does not start the interval: undo the keys this one set.
        try:
            cache.delete_many(added)
        except Exception:
            logger.exception("flood keys not released: the cache is unavailable")
        raise Flood(
            f"You are sending too quickly. Please wait {seconds} seconds, then send this again."
            if scope != "comment"
            else f"You are commenting too quickly. Please wait {seconds} seconds between "
            "comments, then send this one again."
        )


# Threads -----------------------------------------------------------------------------------


def resolve_parent(target, parent_id, policy=None):
    """The comment a reply attaches to, checked: it exists, is on the same piece and is
    published. A reply deeper than the policy's depth attaches to the deepest allowed level."""
    if not parent_id:
        return None
    policy = policy or ModerationSettings.load()
    parent = Comment.objects.filter(pk=parent_id).first()
    if parent is None:
        raise CommentRefused(
            "The comment you are replying to does not exist (it may have been deleted)."
        )
    if getattr(parent, f"{target_type(target)}_id") != target.pk:
        raise CommentRefused("The comment you are replying to is on a different page.")
    if parent.status == Comment.Status.PENDING:
        raise CommentRefused(
            "The comment you are replying to is still awaiting moderation; you can reply once "
            "it is published."
        )
    if parent.status != Comment.Status.APPROVED or parent.kind != Comment.Kind.COMMENT:
        raise CommentRefused("The comment you are replying to is not open for replies.")
    # Walk up to the allowed depth (top-level comments are level 1).
    parents = dict(
        Comment.objects.filter(**{target_type(target): target}).values_list("pk", "parent_id")
    )
    chain = [parent.pk]
    while parents.get(chain[-1]) and len(chain) <= 50:
        chain.append(parents[chain[-1]])
    # chain[0] is the parent, chain[-1] its top-level ancestor; the reply's level is len+1.
    level = len(chain) + 1
    if level <= policy.max_depth:
        return parent
    if policy.max_depth <= 1:
        return None
    keep = level - policy.max_depth  # how many levels to climb
    return Comment.objects.get(pk=chain[keep])


# Moderation rules --------------------------------------------------------------------------


def _term_matches(term, haystacks, ip):
    term = term.strip().lower()
    if not term:
        return False
    if ip and term == ip.lower():
        return True
    if any(ch in term for ch in ".@/:"):
        return any(term in h for h in haystacks)
    pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)")
    return any(pattern.search(h) for h in haystacks)


def is_trusted(email):
    """A commenter with an approved comment under the same email is trusted."""
    return Comment.objects.filter(
        email__iexact=email, status=Comment.Status.APPROVED, kind=Comment.Kind.COMMENT
    ).exists()


@dataclass
class Decision:
    status: str
    note: str = ""


def decide(*, name, email, website, body, ip=None, user_agent="", policy=None, privileged=False):
    """Apply the editors' rules, in WordPress's order: blocked terms send to spam; then hold
    everything / too many links / moderation words / first-time commenters; else publish.
    Editors and the piece's author (privileged) are published at once."""
    policy = policy or ModerationSettings.load()
    haystacks = [(v or "").lower() for v in (name, email, website, body, user_agent)]
    for term in policy.blocked_list:
        if _term_matches(term, haystacks, ip):
            return Decision(Comment.Status.SPAM, f"blocked term: {term}"[:200])
    if privileged:
        return Decision(Comment.Status.APPROVED)
    if policy.hold_all:
        return Decision(Comment.Status.PENDING, "every comment is held")
    links = count_links(body)
    if links > policy.max_links:
        return Decision(Comment.Status.PENDING, f"{links} links (more than {policy.max_links})")
    for term in policy.moderation_list:
        if _term_matches(term, haystacks, ip):
            return Decision(Comment.Status.PENDING, f"moderation word: {term}"[:200])
    if policy.hold_first_time and not is_trusted(email):
        return Decision(Comment.Status.PENDING, "first comment from this email address")
    return Decision(Comment.Status.APPROVED)


def is_privileged(user, target):
    """Editors and the post's own author skip moderation and flood limits."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or is_post_author(user, target))


def is_post_author(user, target):
    if not getattr(user, "is_authenticated", False) or target_type(target) != "post":
        return False
    author_user_id = getattr(target.author, "user_id", None)
    return author_user_id is not None and author_user_id == user.pk


def find_duplicate(target, email, body):
    return (
        Comment.objects.filter(**{target_type(target): target}, email__iexact=email)
        .filter(body__iexact=body.strip())
        .exclude(status=Comment.Status.REMOVED)
        .first()
    )


# Posting -----------------------------------------------------------------------------------


def submit_comment(
    *,
    target,
    name,
    email,
    body,
    website="",
    parent=None,
    follow=False,
    ip=None,
    user_agent="",
    user=None,
    policy=None,
):
    """Check, decide and store one comment. Raises CommentRefused (or a subclass) with a
    message for the writer. When this returns, the comment is committed."""
    policy = policy or ModerationSettings.load()
    reason = closed_reason(target, policy)
    if reason:
        raise CommentsClosed(reason)
    privileged = is_privileged(user, target)
    if find_duplicate(target, email, body):
        raise Duplicate("You have already posted this comment here. It will not be posted twice.")
    decision = decide(
        name=name,
        email=email,
        website=website,
        body=body,
        ip=ip,
        user_agent=user_agent,
        policy=policy,
        privileged=privileged,
    )
    if not privileged:
        check_flood(ip, email)
    with transaction.atomic():
        comment = Comment.objects.create(
            **{target_type(target): target},
            parent=parent,
            name=name,
            email=email,
            website=website or "",
            body=body,
            status=decision.status,
            moderation_note=decision.note,
            by_post_author=is_post_author(user, target),
            ip_address=ip,
            user_agent=(user_agent or "")[:300],
        )
        if follow:
            follow_target(target, email, name, confirmed=False)
        if comment.status == Comment.Status.APPROVED:
            _after_commit(notify_followers, comment.pk)
        elif comment.status == Comment.Status.PENDING:
            _after_commit(notify_moderators, comment.pk)
    logger.info(
        "comment %s on %s %s stored as %s%s",
        comment.pk,
        target_type(target),
        target.pk,
        comment.status,
        f" ({decision.note})" if decision.note else "",
    )
    return comment


def _after_commit(func, *args):
    def run():
        try:
            func(*args)
        except Exception:
            logger.exception("comment notification %s%r failed", func.__name__, args)

    transaction.on_commit(run)


def edit_comment(comment, body, policy=None):
    """The writer's edit (within the edit window, checked by the view). The rules run again: an
    edit can send a published comment back to moderation, never the other way."""
    policy = policy or ModerationSettings.load()
    decision = decide(
        name=comment.name,
        email=comment.email,
        website=comment.website,
        body=body,
        ip=comment.ip_address,
        user_agent=comment.user_agent,
        policy=policy,
        privileged=comment.by_post_author,
    )
    comment.body = body
    comment.edited_at = timezone.now()
    if decision.status != Comment.Status.APPROVED or comment.status != Comment.Status.APPROVED:
        if decision.status == Comment.Status.SPAM:
            comment.status = Comment.Status.SPAM
        elif comment.status == Comment.Status.APPROVED:
            comment.status = Comment.Status.PENDING
        comment.moderation_note = (decision.note or comment.moderation_note)[:200]
    comment.save(update_fields=["body", "edited_at", "status", "moderation_note"])
    if comment.status == Comment.Status.PENDING and decision.status != Comment.Status.APPROVED:
        transaction.on_commit(lambda: _safe(notify_moderators, comment.pk))
    return comment


def delete_comment(comment):
    """The writer's delete: gone for good when nobody replied; otherwise the replies stay and the
    comment is removed from view with its personal data wiped."""
    if comment.replies.exists():
        comment.status = Comment.Status.REMOVED
        comment.body = ""
        comment.email = ""
        comment.website = ""
        comment.ip_address = None
        comment.user_agent = ""
        comment.moderation_note = "deleted by its writer"
        comment.save()
    else:
        comment.delete()


def _safe(func, *args):
    try:
        func(*args)
    except Exception:
        logger.exception("comment notification %s%r failed", func.__name__, args)


# Moderation by editors ---------------------------------------------------------------------


def approve(comments):
    """Approve comments (a queryset or list) and tell the pieces' followers, after commit."""
    changed = []
    for comment in comments:
        if comment.status != Comment.Status.APPROVED:
            comment.status = Comment.Status.APPROVED
            comment.save(update_fields=["status"])
            changed.append(comment.pk)
    for pk in changed:
        _after_commit(notify_followers, pk)
    return len(changed)


def mark_spam(comments):
    changed = 0
    for comment in comments:
        if comment.status != Comment.Status.SPAM:
            comment.status = Comment.Status.SPAM
            comment.save(update_fields=["status"])
            changed += 1
    return changed


def moderation_token(comment, action):
    return signing.dumps({"c": comment.pk, "a": action}, salt=MODERATION_SALT)


def read_moderation_token(token):
    """(comment, action) from a signed link, or raise signing.BadSignature (expired included)."""
    max_age = timedelta(days=conf.get("COMMENTS_MODERATION_LINK_DAYS"))
    data = signing.loads(token, salt=MODERATION_SALT, max_age=max_age)
    if not isinstance(data, dict) or data.get("a") not in {"approve", "spam"}:
        raise signing.BadSignature("unknown action")
    comment = Comment.objects.select_related("post", "interview").filter(pk=data.get("c")).first()
    if comment is None:
        raise signing.BadSignature("no such comment")
    return comment, data["a"]


# Notifications -----------------------------------------------------------------------------


def absolute(path):
    from django.conf import settings

    return f"{settings.SITE_URL}{path}"


def _send(messages):
    """Queue each message for the job queue (socialleaders.mail: sent after the commit,
    retried on temporary refusals); a failure is logged and does not stop the rest."""
    for message in messages:
        send_later(message, log="comments")
    return len(messages)


def moderator_addresses(target):
    policy = ModerationSettings.load()
    addresses = []
    if target_type(target) == "post" and target.author.user_id and target.author.user.email:
        addresses.append(target.author.user.email)
    if policy.notify_editors:
        users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
        addresses += [u.email for u in users if u.has_perm("comments.change_comment")]
    addresses += policy.notify_list
    seen, unique = set(), []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def notify_moderators(comment_pk):
    from django.conf import settings

    comment = (
        Comment.objects.select_related("post__author__user", "interview")
        .filter(pk=comment_pk, status=Comment.Status.PENDING)
        .first()
    )
    if comment is None:
        return 0
    target = comment.target
    recipients = moderator_addresses(target)
    if not recipients:
        logger.warning("comment %s awaits moderation but nobody is set to be told", comment.pk)
        return 0
    approve_url = absolute(
        reverse("comments:moderate", args=[moderation_token(comment, "approve")])
    )
    spam_url = absolute(reverse("comments:moderate", args=[moderation_token(comment, "spam")]))
    admin_url = absolute(reverse("admin:comments_comment_change", args=[comment.pk]))
    queue_url = absolute(reverse("admin:comments_comment_changelist") + "?status__exact=pending")
    body = "\n".join(
        [
            f'A new comment on "{target}" is awaiting moderation.',
            absolute(target.get_absolute_url()),
            "",
            f"Name: {comment.name}",
            f"Email: {comment.email}",
            f"Website: {comment.website or '-'}",
            f"IP address: {comment.ip_address or '-'}",
            f"Why it was held: {comment.moderation_note or '-'}",
            "",
            comment.body,
            "",
            f"Approve it: {approve_url}",
            f"Mark it as spam: {spam_url}",
            f"Edit it in the admin: {admin_url}",
            f"Everything awaiting moderation: {queue_url}",
            "",
            f"The approve and spam links work for {conf.get('COMMENTS_MODERATION_LINK_DAYS')} "
            "days.",
        ]
    )
    message = EmailMessage(
        subject=f'[{settings.SITE_NAME}] Comment awaiting moderation on "{target}"',
        body=body,
        to=recipients,
    )
    return _send([message])


def notify_followers(comment_pk):
    """Email the piece's confirmed followers about a published comment, once."""
    from django.conf import settings

    with transaction.atomic():
        claimed = Comment.objects.filter(
            pk=comment_pk, status=Comment.Status.APPROVED, followers_notified=False
        ).update(followers_notified=True)
    if not claimed:
        return 0
    comment = Comment.objects.select_related("post", "interview").get(pk=comment_pk)
    target = comment.target
    subscriptions = (
        Subscription.objects.confirmed()
        .for_target(target)
        .exclude(email__iexact=comment.email or "-")
    )
    messages = []
    for sub in subscriptions:
        unsubscribe = absolute(sub.unsubscribe_url())
        body = "\n".join(
            [
                f'{comment.name} commented on "{target}":',
                "",
                comment.body,
                "",
                f"Read and reply: {absolute(comment.get_absolute_url())}",
                "",
                "You get this email because you follow the comments on this piece.",
                f"Stop these emails (one click): {unsubscribe}",
            ]
        )
        messages.append(
            EmailMessage(
                subject=f'[{settings.SITE_NAME}] New comment on "{target}"',
                body=body,
                to=[sub.email],
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
    return _send(messages)


# Following ---------------------------------------------------------------------------------


def follow_target(target, email, name="", confirmed=False):
    """Start following a piece's comments. Unless already confirmed, a confirmation link is
    emailed (after commit): nobody can sign someone else up."""
    try:
        with transaction.atomic():
            sub, created = Subscription.objects.get_or_create(
                email=email.lower(), **{target_type(target): target}, defaults={"name": name}
            )
    except IntegrityError:
        sub = Subscription.objects.get(email=email.lower(), **{target_type(target): target})
    if confirmed and not sub.is_confirmed:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    if not sub.is_confirmed:
        _after_commit(send_confirmation, sub.pk)
    return sub


def send_confirmation(subscription_pk):
    from django.conf import settings

    sub = Subscription.objects.filter(pk=subscription_pk, confirmed_at__isnull=True).first()
    if sub is None:
        return 0
    target = sub.target
    body = "\n".join(
        [
            f'Someone (we hope you) asked to be emailed about new comments on "{target}".',
            "",
            f"Confirm: {absolute(sub.confirm_url())}",
            "",
            "If it was not you, ignore this email: nothing will be sent without confirmation.",
        ]
    )
    message = EmailMessage(
        subject=f'[{settings.SITE_NAME}] Confirm you want comment emails for "{target}"',
        body=body,
        to=[sub.email],
    )
    return _send([message])


# Personal data -----------------------------------------------------------------------------


def export_commenter(email):
    """Everything held about a commenter (by email), as plain data."""
    comments = Comment.objects.filter(email__iexact=email).select_related("post", "interview")
    subs = Subscription.objects.filter(email__iexact=email).select_related("post", "interview")
    return {
        "email": email,
        "comments": [
            {
                "id": c.pk,
                "on": str(c.target),
                "url": absolute(c.target.get_absolute_url()) if c.target else "",
                "name": c.name,
                "email": c.email,
                "website": c.website,
                "body": c.body,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
                "ip_address": c.ip_address,
                "user_agent": c.user_agent,
            }
            for c in comments
        ],
        "following": [
            {
                "on": str(s.target),
                "created_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            }
            for s in subs
        ],
    }


def erase_commenter(email, delete=False):
    """Erase a commenter's personal data: their comments anonymised (or, with ``delete``, deleted
    with the replies to them) and their follows deleted. Returns (comments, follows) changed."""
    with transaction.atomic():
        comments = Comment.objects.filter(email__iexact=email)
        if delete:
            count = comments.count()
            comments.delete()
        else:
            shown = list(comments.filter(status=Comment.Status.APPROVED))
            count = comments.update(
                name="Anonymous", email="", website="", ip_address=None, user_agent=""
            )
            content_changed(rows_tags(shown))  # update() sends no signals: names are on pages
        follows, _ = Subscription.objects.filter(email__iexact=email).delete()
    return count, follows


def purge_ip_addresses(days=None, now=None):
    """Erase IP addresses and user agents from comments older than ``days`` (default
    COMMENTS_IP_RETENTION_DAYS). Returns how many comments were changed."""
    days = conf.get("COMMENTS_IP_RETENTION_DAYS") if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(ip_address__isnull=True, user_agent="")
        .update(ip_address=None, user_agent="")
    )
