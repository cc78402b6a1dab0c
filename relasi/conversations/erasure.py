"""Erasing a person (privacy.erasure) empties their conversations: the messages' text, the
addresses and names, the attachments' files. The conversations stay, counted in the KPIs."""

from relasi.privacy import erasure
from relasi.privacy.erasure import REDACTED, Context


@erasure.register("conversations")
def _conversations(ctx: Context) -> None:
    from relasi.conversations.models import Conversation, Message, MessageAttachment

    convs = Conversation.objects.filter(customer=ctx.customer)
    ctx.target(Conversation, convs.values_list("pk", flat=True))
    ctx.count(
        "conversations.conversation",
        convs.update(
            contact_address=REDACTED, contact_name="", subject="", preview="", thread_key=""
        ),
    )
    msgs = Message.objects.filter(conversation__customer=ctx.customer)
    ctx.target(Message, msgs.values_list("pk", flat=True))
    ctx.count(
        "conversations.message",
        msgs.update(body=REDACTED, body_html="", sender="", sender_name="", references="", meta={}),
    )
    files = MessageAttachment.objects.filter(message__conversation__customer=ctx.customer)
    ctx.files += [(a.file.storage, a.file.name) for a in files if a.file]
    ctx.count("conversations.messageattachment", files.delete()[0])
