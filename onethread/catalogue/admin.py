from django.contrib import admin

from onethread.catalogue.models import Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "list_price", "is_active"]
    list_filter = ["tier", "is_active", "categories"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
