"""Merging duplicates from the account page: find the other account by name,
confirm with both side by side; or pick two contacts of the account."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from onethread.customers.access import get_account_for_user
from onethread.customers.models import Account, Contact
from onethread.imports.access import check_can_merge
from onethread.imports.forms import MergeAccountsForm, MergeContactsForm
from onethread.imports.merge import merge_accounts, merge_contacts
from onethread.imports.queries import (
    account_contacts,
    find_accounts,
    likely_duplicates,
    merge_sides,
)
from onethread.journeys.access import NotPermitted
from onethread.journeys.editing import EditConflict


def _mergeable(request: HttpRequest, *account_ids: int) -> list[Account]:
    """The accounts (404 outside the user's rights), if the user may merge them (else 403)."""
    accounts = [get_account_for_user(request.user, account_id) for account_id in account_ids]
    try:
        check_can_merge(request.user, *accounts)
    except NotPermitted as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    return accounts


@require_GET
def merge_accounts_page(request: HttpRequest, account_id: int) -> HttpResponse:
    (account,) = _mergeable(request, account_id)
    text = request.GET.get("q", "")[:200]
    context = {
        "account": account,
        "q": text,
        "found": find_accounts(request.user, account, text),
        "nav": "board",
    }
    return render(request, "imports/merge_accounts.html", context)


@require_http_methods(["GET", "POST"])
def merge_accounts_confirm(request: HttpRequest, account_id: int, other_id: int) -> HttpResponse:
    """Keep `account_id`, merge `other_id` into it."""
    keep, remove = _mergeable(request, account_id, other_id)
    problem, status = "", 200
    if request.method == "POST":
        form = MergeAccountsForm(request.POST)
        if not form.is_valid():
            problem, status = "Reload this page and confirm again.", 422
        else:
            try:
                merge_accounts(
                    keep,
                    remove,
                    by=request.user,  # type: ignore[arg-type]
                    keep_version=form.cleaned_data["keep_version"],
                    remove_version=form.cleaned_data["remove_version"],
                )
            except ValidationError as error:
                problem, status = " ".join(error.messages), 422
            except EditConflict as conflict:
                problem, status = str(conflict), 409
            else:
                return redirect("account-thread", keep.pk)
    kept, removed = merge_sides(keep, remove)
    context = {
        "kept": kept,
        "removed": removed,
        "both_open": kept.open_journey is not None and removed.open_journey is not None,
        "problem": problem,
        "nav": "board",
    }
    return render(request, "imports/merge_confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
def merge_contacts_page(request: HttpRequest, account_id: int) -> HttpResponse:
    (account,) = _mergeable(request, account_id)
    contacts = Contact.objects.filter(account=account)
    form = MergeContactsForm(request.POST or None, contacts=contacts)
    problem, status = "", 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                merge_contacts(
                    form.cleaned_data["keep"],
                    form.cleaned_data["remove"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as error:
                problem = " ".join(error.messages)
            else:
                return redirect("merge-contacts", account.pk)
    listed = account_contacts(account)
    context = {
        "account": account,
        "contacts": listed,
        "pairs": likely_duplicates(listed),
        "form": form,
        "problem": problem,
        "nav": "board",
    }
    return render(request, "imports/merge_contacts.html", context, status=status)
