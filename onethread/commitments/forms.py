from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from onethread.commitments.models import Commitment


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.member.get_role_display()})"


def team_members() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, member__isnull=False)
        .select_related("member")
        .order_by("first_name", "last_name", "username")
    )


class MakeCommitmentForm(forms.Form):
    promise = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = MemberChoiceField(queryset=User.objects.none(), required=False)
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].queryset = team_members()  # type: ignore[attr-defined]


class SettleCommitmentForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Commitment.Status.KEPT, "Kept"), (Commitment.Status.BROKEN, "Broken")]
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RenegotiateCommitmentForm(forms.Form):
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=500, required=False)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
