from ceyuan.core.passthrough import PassthroughCommand


class Command(PassthroughCommand):
    help = (
        "Privacy engine: scan and redact personal information in files; "
        "train the person-name model (see --help)."
    )
    cli = "ceyuan.opendata.privacy.cli.main"
