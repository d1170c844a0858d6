-- The agent loop: a priority queue of tasks from people and agents, the lookup that links a
-- Sentry release to a deployment, and remediation plans dated by the agent's clock.

create table if not exists agent_tasks (
    id              uuid        primary key default gen_random_uuid(),
    idempotency_key text        unique,                  -- a retried request finds its task
    priority        smallint    not null,                -- 0 low, 1 normal, 2 high, 3 critical
    task            jsonb       not null,                -- {"task": "..."} or {"intent", "params"}
    intent          text        not null,
    actor           text        not null,
    status          text        not null default 'queued', -- queued, running, done, failed
    result          jsonb,
    created_at      timestamptz not null default now(),
    started_at      timestamptz,
    finished_at     timestamptz
);
create index if not exists agent_tasks_queue_idx on agent_tasks (priority desc, created_at, id)
    where status = 'queued';
alter table agent_tasks enable row level security;


-- Queue a task; a second call with the same idempotency key returns the first task, unchanged.
create or replace function ops_task_enqueue(p_task jsonb) returns jsonb
language plpgsql as $$
declare
    v_row agent_tasks;
begin
    insert into agent_tasks (idempotency_key, priority, task, intent, actor)
    values (p_task->>'idempotency_key', (p_task->>'priority')::smallint, p_task->'task',
            p_task->>'intent', p_task->>'actor')
    on conflict (idempotency_key) do nothing
    returning * into v_row;
    if v_row.id is null then
        select * into v_row from agent_tasks where idempotency_key = p_task->>'idempotency_key';
        return to_jsonb(v_row) || jsonb_build_object('duplicate', true);
    end if;
    return to_jsonb(v_row) || jsonb_build_object('duplicate', false);
end
$$;


-- Claim up to p_limit queued tasks, highest priority first, then oldest. Two claimers never
-- get the same task.
create or replace function ops_task_claim(p_limit integer) returns jsonb
language sql as $$
    with next as (
        select id from agent_tasks where status = 'queued'
        order by priority desc, created_at, id
        limit least(greatest(p_limit, 1), 100)
        for update skip locked
    ), claimed as (
        update agent_tasks t set status = 'running', started_at = now()
        from next where t.id = next.id
        returning t.*
    )
    select coalesce(jsonb_agg(to_jsonb(c) order by c.priority desc, c.created_at, c.id), '[]')
    from claimed c
$$;


create or replace function ops_task_finish(p_id uuid, p_status text, p_result jsonb) returns jsonb
language sql as $$
    update agent_tasks set status = p_status, result = p_result, finished_at = now()
    where id = p_id and status = 'running'
    returning to_jsonb(agent_tasks.*)
$$;


-- A task that was claimed by a tick that died goes back to the queue after p_stale_seconds.
create or replace function ops_task_requeue_stale(p_stale_seconds integer) returns integer
language sql as $$
    with r as (
        update agent_tasks set status = 'queued', started_at = null
        where status = 'running' and started_at < now() - make_interval(secs => p_stale_seconds)
        returning 1
    )
    select count(*)::integer from r
$$;


create or replace function ops_task_get(p_id uuid) returns jsonb
language sql stable as $$
    select to_jsonb(t) from agent_tasks t where t.id = p_id
$$;


create or replace function ops_task_list(p_status text default null, p_limit integer default 50)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(t) order by t.created_at desc), '[]'::jsonb)
    from (select * from agent_tasks where p_status is null or status = p_status
          order by created_at desc limit least(greatest(p_limit, 1), 500)) t
$$;


-- The deployment a release names: Sentry's Vercel integration sets the release to the git
-- commit SHA (full or abbreviated); a deployment id or URL works too. Newest match first.
create or replace function ops_deployment_by_release(p_release text, p_project text default null)
returns jsonb
language sql stable as $$
    select to_jsonb(d) from deployments d
    where (p_project is null or d.project_id = p_project or d.project_name = p_project)
      and (d.id = p_release or d.url = p_release
           or (length(p_release) >= 7 and d.commit_sha like p_release || '%'))
    order by d.created_at desc nulls last
    limit 1
$$;


-- Plans are dated by the agent's clock (p_action.requested_at), so cooldowns and the hourly
-- cap hold in accelerated scenario time as in real time. A redeploy of one failed deployment is
-- planned once.
create unique index if not exists remediation_one_redeploy_idx
    on remediation_actions ((result->>'failed_deployment'))
    where playbook = 'redeploy' and result ? 'failed_deployment';

-- A rollback that no alert asked for (a log anomaly did) rolls away from one deployment once,
-- whichever kinds of anomaly pointed at it.
create unique index if not exists remediation_one_rollback_per_suspect_idx
    on remediation_actions ((result->>'suspected_deployment'))
    where playbook = 'rollback' and alert_id is null
      and status in ('pending_approval', 'approved', 'running', 'succeeded', 'dry_run');

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


-- Observations the loop is done with (or that nobody handled for a month) are forgotten.
create or replace function ops_observation_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from observations where observed_at < p_older_than order by id limit p_batch
    ), del as (
        delete from observations o using doomed d where o.id = d.id returning o.id
    )
    select jsonb_build_object('deleted', count(*)) from del
$$;


select ops_lock_down();
