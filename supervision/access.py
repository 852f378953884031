"""Who may do what with a school's feedback threads. The school itself is fetched
through schools.access.get_school_for, so a school outside a person's oversight is a
404 whoever asks; these rules decide, for a school they do oversee, what they may write."""


def may_start_feedback(user, school):
    """Supervisors start threads to the principal; principals and admins read them."""
    return user.is_supervisor


def may_reply_feedback(user, school):
    """The supervisors and the school's own principal answer in a thread."""
    return user.is_supervisor or (user.is_principal and user.school_id == school.pk)
