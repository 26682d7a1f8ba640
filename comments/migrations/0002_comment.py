"""Comment, moved here from the blog app, keeping its table (blog_comment) and rows: only
Django's state is created. Its content type moves with it, so permissions, admin history and
revisions that point at comments keep pointing at them."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="blog", new="comments"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="comment").exists():
        ContentType.objects.using(db).filter(app_label=old, model="comment").update(
            app_label=new
        )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="comments", new="blog")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_move_comment_to_comments"),
        ("comments", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("interviews", "0005_leader_name_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Comment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100)),
                        ("email", models.EmailField(blank=True, help_text="Never shown publicly.", max_length=254)),
                        ("website", models.URLField(blank=True)),
                        ("body", models.TextField()),
                        ("status", models.CharField(choices=[("pending", "Awaiting moderation"), ("approved", "Approved"), ("spam", "Spam"), ("removed", "Removed")], db_index=True, default="pending", max_length=10)),
                        ("kind", models.CharField(choices=[("comment", "Comment"), ("pingback", "Pingback")], default="comment", max_length=10)),
                        ("by_post_author", models.BooleanField(default=False, help_text="Marked as the author's reply.", verbose_name="by the post's author")),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                        ("user_agent", models.CharField(blank=True, max_length=300)),
                        ("moderation_note", models.CharField(blank=True, help_text="Why the moderation rules held this comment or sent it to spam.", max_length=200, verbose_name="why held")),
                        ("edited_at", models.DateTimeField(blank=True, help_text="When the writer last edited the comment.", null=True)),
                        ("followers_notified", models.BooleanField(default=False, editable=False, help_text="Followers of the piece have been emailed about this comment.")),
                        ("interview", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="comments", to="interviews.interview")),
                        ("parent", models.ForeignKey(blank=True, help_text="The comment this one replies to.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="replies", to="comments.comment")),
                        ("post", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="comments", to="blog.post")),
                    ],
                    options={
                        "db_table": "blog_comment",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(fields=["post", "status", "created_at"], name="comment_post_status_idx"),
                            models.Index(fields=["interview", "status", "created_at"], name="comment_iv_status_idx"),
                            models.Index(fields=["email", "status"], name="comment_email_status_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(models.Q(("post__isnull", False), ("interview__isnull", True)), models.Q(("post__isnull", True), ("interview__isnull", False)), _connector="OR"), name="blog_comment_on_post_or_interview"),
                            models.CheckConstraint(condition=models.Q(("parent", models.F("id")), _negated=True), name="blog_comment_not_own_parent"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
