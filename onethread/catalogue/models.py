from django.db import models


class Category(models.Model):
    """A kind of customer need (and of support topic) that products address."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=200, unique=True)
    tier = models.CharField(max_length=50, blank=True, help_text="e.g. base, pro, add-on")
    description = models.TextField(blank=True)
    list_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    categories = models.ManyToManyField(Category, related_name="products", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
