-- Remediation: every automatic action the agent plans, with its guard decisions, approval,
-- execution, and the verification that the signal recovered afterwards.

create table if not exists remediation_actions (
    id           uuid        primary key default gen_random_uuid(),
    alert_id     uuid,
    incident_id  uuid,
    playbook     text        not null,                 -- rollback, redeploy, dev_agent, webhook
    target       text        not null,                 -- the project or deployment acted on
    status       text        not null,                 -- pending_approval, approved, running,
                                                       -- succeeded, failed, skipped, dry_run, rejected
    reason       text        not null,
    requested_at timestamptz not null default now(),
    decided_by   text,
    executed_at  timestamptz,
    verify_by    timestamptz,
    verified     boolean,
    verified_at  timestamptz,
    result       jsonb       not null default '{}'::jsonb
);
-- Never two rollbacks for one incident (a skipped, failed or rejected one does not count).
create unique index if not exists remediation_one_rollback_idx on remediation_actions (incident_id)
    where playbook = 'rollback'
      and status in ('pending_approval', 'approved', 'running', 'succeeded', 'dry_run');
-- One plan per alert and playbook while it is live.
create unique index if not exists remediation_alert_playbook_idx on remediation_actions (alert_id, playbook)
    where status in ('pending_approval', 'approved', 'running');
create index if not exists remediation_target_idx on remediation_actions (target, executed_at desc);
alter table remediation_actions enable row level security;

-- A redeploy of one failed deployment is planned once.
create unique index if not exists remediation_one_redeploy_idx
    on remediation_actions ((result->>'failed_deployment'))
    where playbook = 'redeploy' and result ? 'failed_deployment';

-- A rollback that no alert asked for (a log anomaly did) rolls away from one deployment once,
-- whichever kinds of anomaly pointed at it.
create unique index if not exists remediation_one_rollback_per_suspect_idx
    on remediation_actions ((result->>'suspected_deployment'))
    where playbook = 'rollback' and alert_id is null
      and status in ('pending_approval', 'approved', 'running', 'succeeded', 'dry_run');


-- Plan an action; null when the alert has a plan for this playbook already (whatever became
-- of it: an alert gets one decision per playbook), or the unique rules above refuse it. Plans
-- are dated by the agent's clock (p_action.requested_at), so cooldowns and the hourly cap hold
-- in accelerated scenario time as in real time.
create or replace function ops_remediation_plan(p_action jsonb) returns jsonb
language plpgsql as $$
declare
    v_row remediation_actions;
begin
    if exists (select 1 from remediation_actions
               where alert_id = (p_action->>'alert_id')::uuid and playbook = p_action->>'playbook') then
        return null;
    end if;
    insert into remediation_actions (alert_id, incident_id, playbook, target, status, reason,
                                     decided_by, result, requested_at)
    values ((p_action->>'alert_id')::uuid, (p_action->>'incident_id')::uuid,
            p_action->>'playbook', p_action->>'target', p_action->>'status',
            p_action->>'reason', p_action->>'decided_by', coalesce(p_action->'result', '{}'::jsonb),
            coalesce((p_action->>'requested_at')::timestamptz, now()))
    on conflict do nothing
    returning * into v_row;
    return case when v_row.id is null then null else to_jsonb(v_row) end;
end
$$;


-- Move an action from one of p_from to p_to (null when it was not in one of them).
create or replace function ops_remediation_set(p_id uuid, p_from text[], p_to text,
                                               p_fields jsonb default '{}')
returns jsonb
language sql as $$
    update remediation_actions r set
        status = p_to,
        decided_by = coalesce(p_fields->>'decided_by', r.decided_by),
        executed_at = case when p_to in ('succeeded', 'failed') then now() else r.executed_at end,
        verify_by = coalesce((p_fields->>'verify_by')::timestamptz, r.verify_by),
        verified = coalesce((p_fields->>'verified')::boolean, r.verified),
        verified_at = case when p_fields ? 'verified' then now() else r.verified_at end,
        result = r.result || coalesce(p_fields->'result', '{}'::jsonb)
    where r.id = p_id and r.status = any(p_from)
    returning to_jsonb(r.*)
$$;


-- The hourly cap and the cooldown count actions approved but not yet run, too: two alerts
-- planned in one tick must not both get the last slot.
create or replace function ops_remediation_recent(p_since timestamptz, p_target text)
returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'total', count(*) filter (where status in ('approved', 'running', 'succeeded', 'failed')),
        'on_target', count(*) filter (where target = p_target
                                        and status in ('approved', 'running', 'succeeded', 'failed')))
    from remediation_actions where requested_at >= p_since
$$;


create or replace function ops_remediation_list(p_status text default null, p_limit integer default 50)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(r) order by r.requested_at desc), '[]'::jsonb)
    from (select * from remediation_actions where p_status is null or status = p_status
          order by requested_at desc limit least(greatest(p_limit, 1), 500)) r
$$;


create or replace function ops_remediation_get(p_id uuid) returns jsonb
language sql stable as $$
    select to_jsonb(r) from remediation_actions r where r.id = p_id
$$;


-- Actions that succeeded and whose verification time has come.
create or replace function ops_remediation_due_verification(p_now timestamptz) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(r) order by r.verify_by), '[]'::jsonb)
    from remediation_actions r
    where r.status = 'succeeded' and r.verified is null and r.verify_by <= p_now
$$;


select ops_lock_down();
