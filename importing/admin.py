from django.contrib import admin

from .models import ImportedItem


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    """What a WordPress import brought in, and from where: read-only (the importer writes it)."""

    list_display = ["wp_id", "kind", "source", "content_type", "object_id", "updated_at"]
    list_filter = ["kind", "source"]
    search_fields = ["guid", "wp_id"]
    readonly_fields = [f.name for f in ImportedItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
