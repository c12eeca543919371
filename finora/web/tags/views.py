"""Tag views: the list, one tag's page (rename, merge into another, delete with Undo)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Tag
from finora.services.ledger.tags import list_tags, merge_tags, rename_tag, tag_counts
from finora.services.undo.tag_actions import delete_tag_with_undo
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.tags import bp
from finora.web.tags.forms import TagMergeForm, TagNameForm
from finora.web.undo_offer import flash_undo


@bp.get("")
def index():
    household = require_household()
    return render_template(
        "tags/index.html", tags=list_tags(db.session, household), counts=tag_counts(db.session, household),
    )


def _merge_form(tag: Tag) -> TagMergeForm:
    form = TagMergeForm()
    others = [t for t in list_tags(db.session, require_household()) if t.id != tag.id]
    form.target_id.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(str(t.id), t.name) for t in others]
    return form


def _page(tag: Tag, name_form: TagNameForm, merge_form: TagMergeForm, status: int = 200):
    count = tag_counts(db.session, require_household()).get(tag.id, 0)
    return render_template(
        "tags/edit.html", tag=tag, form=name_form, merge_form=merge_form, delete_form=EmptyForm(), count=count,
    ), status


@bp.get("/<int:tag_id>")
def edit(tag_id: int):
    tag = get_owned_or_404(Tag, tag_id)
    return _page(tag, TagNameForm(obj=tag), _merge_form(tag))


@bp.post("/<int:tag_id>/rename")
def rename(tag_id: int):
    tag = get_owned_or_404(Tag, tag_id)
    form = TagNameForm()
    if form.validate_on_submit():
        try:
            rename_tag(db.session, tag, form.name.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Tag renamed to “%(name)s”.", name=tag.name), "success")
            return redirect(url_for("tags.index"))
    return _page(tag, form, _merge_form(tag), 422)


@bp.post("/<int:tag_id>/merge")
def merge(tag_id: int):
    tag = get_owned_or_404(Tag, tag_id)
    form = _merge_form(tag)
    if form.validate_on_submit():
        target = get_owned_or_404(Tag, form.target_id.data)
        source_name, target_name = tag.name, target.name
        try:
            moved = merge_tags(db.session, tag, target)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "“%(source)s” merged into “%(target)s”: %(num)d entry changed.",
                    "“%(source)s” merged into “%(target)s”: %(num)d entries changed.",
                    moved, source=source_name, target=target_name,
                ),
                "success",
            )
            return redirect(url_for("tags.index"))
    return _page(tag, TagNameForm(obj=tag), form, 422)


@bp.post("/<int:tag_id>/delete")
def delete(tag_id: int):
    tag = get_owned_or_404(Tag, tag_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = tag.name
    record = delete_tag_with_undo(db.session, require_household(), current_user._get_current_object(), tag)
    db.session.commit()
    flash_undo(_("Tag “%(name)s” deleted.", name=name), record)
    return redirect(url_for("tags.index"))
