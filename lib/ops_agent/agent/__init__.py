"""OpsAgentOODA: the cron tick and, later, observe-orient-decide-act."""
