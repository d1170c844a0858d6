-- The agent loop: a priority queue of tasks from people and agents.

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


select ops_lock_down();
