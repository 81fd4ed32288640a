from decimal import Decimal
from typing import Any

from django import forms

from onethread.handoffs.models import ContractItem
from onethread.journeys.models import Journey, Stage
from onethread.team.models import Member, Team
from onethread.training import goals
from onethread.training.services import TEXT_MAX


class SaveReplayForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title")
    tags = forms.CharField(
        max_length=400, required=False, label="Tags", help_text="Separated by commas."
    )
    lesson = forms.CharField(
        max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), label="Lesson"
    )

    def tag_list(self) -> list[str]:
        return [tag for tag in self.cleaned_data["tags"].split(",") if tag.strip()]


class AssignReplayForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.filter(user__is_active=True).select_related("user", "team"),
        required=False,
        label="Members",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(), required=False, label="Teams"
    )


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), label="Your reflection"
    )


class ShadowingForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Member.objects.filter(user__is_active=True).select_related("user", "team"),
        label="Member",
    )
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.filter(kind=Stage.Kind.ACTIVE), label="Stage to shadow"
    )
    starts_on = forms.DateField(label="Starts on", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Ends on", widget=forms.DateInput(attrs={"type": "date"}))
    journeys = forms.ModelMultipleChoiceField(
        queryset=Journey.objects.none(), label="Journeys to follow"
    )

    def __init__(self, *args: object, journeys: "object", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["journeys"].queryset = journeys  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
    )


class PlaybookForm(forms.Form):
    good_looks_like = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What good looks like here",
    )
    next_stage_needs = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What the next stage needs from you",
    )


class PlaybookItemForm(forms.Form):
    label = forms.CharField(max_length=200, label="Step")
    guidance = forms.CharField(max_length=300, required=False, label="Guidance")
    contract_item = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Fills the contract item"
    )

    def __init__(self, *args: Any, contract_items: list[ContractItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in contract_items}
        field = self.fields["contract_item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None")] + [
            (item.pk, f"{item.transition.to_stage.name}: {item.label}") for item in contract_items
        ]

    def chosen_contract_item(self) -> ContractItem | None:
        chosen = self.cleaned_data.get("contract_item")
        return self.items.get(chosen) if chosen is not None else None


class GoalForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label="Team")
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label="Member",
        empty_label="The whole team",
    )
    measure = forms.ChoiceField(choices=goals.CHOICES, label="Measure")
    target = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        label="Target",
        help_text="A number; a percentage for shares (0 to 100); 1 to 5 for a rating.",
    )
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, curator: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Member.objects.filter(user__is_active=True).select_related("user", "team")
        member_field = self.fields["member"]
        assert isinstance(member_field, forms.ModelChoiceField)
        if curator.is_admin:
            member_field.queryset = members
        else:
            # A manager sets goals for their own team: no team to choose.
            del self.fields["team"]
            member_field.queryset = members.filter(team_id=curator.team_id)
        self.curator = curator

    def chosen_team(self) -> Team:
        team = self.cleaned_data.get("team")
        return team if isinstance(team, Team) else self.curator.team
