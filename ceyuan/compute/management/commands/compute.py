from ceyuan.core.passthrough import PassthroughCommand


class Command(PassthroughCommand):
    help = "Compute engine: simulate scheduling policies on cluster traces (see --help)."
    cli = "ceyuan.compute.engine.cli.main"
