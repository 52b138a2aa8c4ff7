from django.contrib import admin

from frontend.models import Announcement, HouseAd


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["text", "enabled", "updated"]
    list_editable = ["enabled"]


@admin.register(HouseAd)
class HouseAdAdmin(admin.ModelAdmin):
    list_display = ["name", "text", "weight", "active"]
    list_editable = ["weight", "active"]
