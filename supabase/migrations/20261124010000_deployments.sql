-- Deployments: the agent's own history of every deployment it has heard of (webhooks, its own
-- API calls), Vercel webhook deliveries (the dedup record), the actions it took on deployments,

create table if not exists deployments (
    id             text        primary key,               -- dpl_...
    project_id     text,
    project_name   text,
    target         text,                                  -- production, preview, or a custom environment
    state          text,                                  -- QUEUED ... READY, ERROR, CANCELED
    state_at       timestamptz,                           -- when it reached that state
    url            text,
    branch         text,
    commit_sha     text,
    commit_message text,
    creator        text,
    error_code     text,
    error_message  text,
    inspector_url  text,
    created_at     timestamptz not null default now(),   -- when the deployment was created
    ready_at       timestamptz,
    promoted_at    timestamptz,
    updated_at     timestamptz not null default now(),
    timeline       jsonb       not null default '[]'::jsonb, -- [{state|event, at, source}], by time
    meta           jsonb       not null default '{}'::jsonb
);
create index if not exists deployments_project_idx
    on deployments (project_id, target, created_at desc, id desc);
create index if not exists deployments_project_name_idx
    on deployments (project_name, target, created_at desc, id desc);
create index if not exists deployments_created_idx on deployments (created_at desc, id desc);
alter table deployments enable row level security;

create table if not exists vercel_webhook_deliveries (
    id          text        primary key,                  -- the envelope id: Vercel's retries repeat it
    type        text        not null,
    created_at  timestamptz not null,
    received_at timestamptz not null default now(),
    region      text,
    payload     jsonb       not null
);
create index if not exists vercel_webhook_deliveries_received_idx
    on vercel_webhook_deliveries (received_at);
alter table vercel_webhook_deliveries enable row level security;
create index if not exists vercel_webhook_deliveries_created_idx
    on vercel_webhook_deliveries (created_at);


-- Whether Vercel's webhooks delivered anything created since p_since: then deployments need
-- no polling.
create or replace function ops_vercel_webhooks_since(p_since timestamptz) returns boolean
language sql stable as $$
    select exists (select 1 from vercel_webhook_deliveries where created_at >= p_since)
$$;

create table if not exists deployment_actions (
    id              bigint generated always as identity primary key,
    at              timestamptz not null default now(),
    action          text        not null,                 -- deploy, rollback, promote, cancel
    project_id      text,
    from_deployment text,                                 -- what production served before
    to_deployment   text,                                 -- what it serves (or builds) after
    actor           text        not null,
    reason          text,
    outcome         text        not null,                 -- ok, failed, refused
    details         jsonb       not null default '{}'::jsonb
);
create index if not exists deployment_actions_project_idx
    on deployment_actions (project_id, at desc);
alter table deployment_actions enable row level security;



create or replace function ops_deployment_state_rank(p_state text) returns integer
language sql immutable as $$
    select case p_state
        when 'QUEUED' then 1 when 'INITIALIZING' then 2 when 'BUILDING' then 3
        when 'BLOCKED' then 4 when 'READY' then 5 when 'ERROR' then 5 when 'CANCELED' then 5
        when 'DELETED' then 6 else 0 end
$$;


-- Merge one fact about a deployment into its row. p_event keys: id (required), project_id,
-- project_name, target, state, at, url, branch, commit_sha, commit_message, creator,
-- error_code, error_message, inspector_url, created_at, ready_at, meta, event, source.
-- Facts may arrive late or twice: the state moves only to a later (or, at the same instant,
-- further) state, and each state or event enters the timeline once. When the state becomes
-- ERROR, or READY on production, one observation is published (once per deployment and fact).
create or replace function ops_deployment_record(p_event jsonb) returns jsonb
language plpgsql as $$
declare
    v_id     text        := p_event->>'id';
    v_state  text        := nullif(p_event->>'state', '');
    v_event  text        := nullif(p_event->>'event', '');
    v_at     timestamptz := coalesce((p_event->>'at')::timestamptz, now());
    v_source text        := coalesce(p_event->>'source', 'unknown');
    v_old    deployments;
    v_new    deployments;
    v_newer  boolean;
    v_line   jsonb       := '[]'::jsonb;
    v_kind   text;
    v_obs    bigint;
begin
    if v_id is null or v_id = '' then
        raise exception 'deployment event without id' using errcode = '22023';
    end if;
    insert into deployments (id, created_at)
    values (v_id, coalesce((p_event->>'created_at')::timestamptz, v_at))
    on conflict (id) do nothing;
    select * into v_old from deployments where id = v_id for update;

    v_newer := v_state is not null and (
        v_old.state is null
        or v_at > v_old.state_at
        or (v_at = v_old.state_at
            and ops_deployment_state_rank(v_state) > ops_deployment_state_rank(v_old.state)));

    if v_state is not null and not exists (
        select 1 from jsonb_array_elements(v_old.timeline) e where e->>'state' = v_state
    ) then
        v_line := v_line || jsonb_build_object('state', v_state, 'at', v_at, 'source', v_source);
    end if;
    if v_event is not null and not exists (
        select 1 from jsonb_array_elements(v_old.timeline) e
        where e->>'event' = v_event and (e->>'at')::timestamptz = v_at
    ) then
        v_line := v_line || jsonb_build_object('event', v_event, 'at', v_at, 'source', v_source);
    end if;

    update deployments d set
        project_id     = coalesce(p_event->>'project_id', d.project_id),
        project_name   = coalesce(p_event->>'project_name', d.project_name),
        target         = coalesce(p_event->>'target', d.target),
        url            = coalesce(p_event->>'url', d.url),
        branch         = coalesce(p_event->>'branch', d.branch),
        commit_sha     = coalesce(p_event->>'commit_sha', d.commit_sha),
        commit_message = coalesce(p_event->>'commit_message', d.commit_message),
        creator        = coalesce(p_event->>'creator', d.creator),
        error_code     = coalesce(p_event->>'error_code', d.error_code),
        error_message  = coalesce(p_event->>'error_message', d.error_message),
        inspector_url  = coalesce(p_event->>'inspector_url', d.inspector_url),
        created_at     = least(d.created_at, coalesce((p_event->>'created_at')::timestamptz, d.created_at)),
        ready_at       = coalesce(d.ready_at, (p_event->>'ready_at')::timestamptz,
                                  case when v_state = 'READY' then v_at end),
        promoted_at    = case when v_event = 'promoted' then greatest(d.promoted_at, v_at)
                              else d.promoted_at end,
        state          = case when v_newer then v_state else d.state end,
        state_at       = case when v_newer then v_at else d.state_at end,
        meta           = d.meta || coalesce(p_event->'meta', '{}'::jsonb),
        timeline       = case when jsonb_array_length(v_line) = 0 then d.timeline else (
                            select jsonb_agg(e order by (e->>'at')::timestamptz, ord)
                            from jsonb_array_elements(d.timeline || v_line) with ordinality as t(e, ord))
                         end,
        updated_at     = now()
    where d.id = v_id
    returning * into v_new;

    if v_newer and v_new.state is distinct from v_old.state then
        v_kind := case
            when v_new.state = 'ERROR' then 'deployment.error'
            when v_new.state = 'READY' and v_new.target = 'production' then 'deployment.production_ready'
        end;
        if v_kind is not null then
            insert into observations (kind, subject, dedup_key, payload)
            values (v_kind, v_id, v_kind || ':' || v_id,
                    to_jsonb(v_new) - 'timeline' - 'meta')
            on conflict (dedup_key) do nothing
            returning id into v_obs;
        end if;
    end if;

    return jsonb_build_object('deployment', to_jsonb(v_new), 'observation_id', v_obs,
                              'state_changed', v_newer and v_new.state is distinct from v_old.state);
end
$$;


-- Store a webhook delivery once. A redelivery (same id), however concurrent, returns
-- duplicate=true and changes nothing; a new one also merges each fact of p_events (a JSON
-- array of ops_deployment_record events) into the deployment history, in the same transaction.
create or replace function ops_vercel_webhook_ingest(p_delivery jsonb, p_events jsonb default '[]')
returns jsonb
language plpgsql as $$
declare
    v_event   jsonb;
    v_result  jsonb;
    v_results jsonb := '[]'::jsonb;
begin
    insert into vercel_webhook_deliveries (id, type, created_at, region, payload)
    values (p_delivery->>'id', p_delivery->>'type', (p_delivery->>'created_at')::timestamptz,
            p_delivery->>'region', coalesce(p_delivery->'payload', '{}'::jsonb))
    on conflict (id) do nothing;
    if not found then
        return jsonb_build_object('duplicate', true, 'results', '[]'::jsonb);
    end if;
    for v_event in select e from jsonb_array_elements(coalesce(p_events, '[]'::jsonb)) e loop
        v_result := ops_deployment_record(v_event);
        v_results := v_results || jsonb_build_array(v_result);
    end loop;
    return jsonb_build_object('duplicate', false, 'results', v_results);
end
$$;


create or replace function ops_vercel_webhook_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from vercel_webhook_deliveries where received_at < p_older_than
        order by received_at limit p_batch
    ), del as (
        delete from vercel_webhook_deliveries w using doomed where w.id = doomed.id returning 1
    )
    select jsonb_build_object('deleted', count(*)) from del
$$;


create or replace function ops_deployment_get(p_id text) returns jsonb
language sql stable as $$
    select to_jsonb(d) from deployments d where d.id = p_id
$$;


-- Newest first, keyset-paginated by (created_at, id). p_project matches the id or the name.
create or replace function ops_deployment_list(
    p_project text default null,
    p_target text default null,
    p_states text[] default null,
    p_branch text default null,
    p_since timestamptz default null,
    p_until timestamptz default null,
    p_before_created timestamptz default null,
    p_before_id text default null,
    p_limit integer default 50
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(x) order by x.created_at desc, x.id desc), '[]'::jsonb)
    from (
        select * from deployments d
        where (p_project is null or d.project_id = p_project or d.project_name = p_project)
          and (p_target is null or d.target = p_target
               or (p_target = 'preview' and d.target is null))
          and (p_states is null or d.state = any(p_states))
          and (p_branch is null or d.branch = p_branch)
          and (p_since is null or d.created_at >= p_since)
          and (p_until is null or d.created_at < p_until)
          and (p_before_created is null
               or (d.created_at, d.id) < (p_before_created, coalesce(p_before_id, '')))
        order by d.created_at desc, d.id desc
        limit least(greatest(p_limit, 1), 1000)
    ) x
$$;


-- Outcome counts of deployments created since p_since. Canceled deployments count neither
-- for nor against the success rate; unfinished ones are reported apart.
create or replace function ops_deployment_stats(
    p_project text default null,
    p_target text default null,
    p_since timestamptz default null
) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'total', count(*),
        'ready', count(*) filter (where state = 'READY'),
        'error', count(*) filter (where state = 'ERROR'),
        'canceled', count(*) filter (where state = 'CANCELED'),
        'in_progress', count(*) filter (where state is null
                                        or state in ('QUEUED', 'INITIALIZING', 'BUILDING', 'BLOCKED')),
        'median_build_seconds', percentile_cont(0.5) within group (
            order by extract(epoch from ready_at - created_at))
            filter (where state = 'READY' and ready_at is not null)
    )
    from deployments d
    where (p_project is null or d.project_id = p_project or d.project_name = p_project)
      and (p_target is null or d.target = p_target or (p_target = 'preview' and d.target is null))
      and (p_since is null or d.created_at >= p_since)
$$;


create or replace function ops_deployment_action_record(p_action jsonb) returns jsonb
language sql as $$
    insert into deployment_actions (action, project_id, from_deployment, to_deployment, actor,
                                    reason, outcome, details)
    values (p_action->>'action', p_action->>'project_id', p_action->>'from_deployment',
            p_action->>'to_deployment', p_action->>'actor', p_action->>'reason',
            p_action->>'outcome', coalesce(p_action->'details', '{}'::jsonb))
    returning to_jsonb(deployment_actions.*)
$$;


create or replace function ops_deployment_action_list(
    p_project text default null,
    p_action text default null,
    p_limit integer default 50
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(a) order by a.id desc), '[]'::jsonb)
    from (
        select * from deployment_actions
        where (p_project is null or project_id = p_project)
          and (p_action is null or action = p_action)
        order by id desc
        limit least(greatest(p_limit, 1), 1000)
    ) a
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


select ops_lock_down();
