-- Observations: facts the tools publish (a failed build, a service that went down, a Sentry
-- event) for the agent loop to act on. Each fact is published once (dedup_key), consumed
-- only after it was handled, and purged after a month.

create table if not exists observations (
    id          bigint generated always as identity primary key,
    observed_at timestamptz not null default now(),
    kind        text        not null,                     -- deployment.error, deployment.production_ready, ...
    subject     text,                                     -- what it is about, e.g. a deployment id
    dedup_key   text        not null unique,              -- one observation per fact
    payload     jsonb       not null default '{}'::jsonb,
    consumed_at timestamptz
);
create index if not exists observations_pending_idx on observations (id) where consumed_at is null;
alter table observations enable row level security;


-- Publish observations: p_observations is a JSON array of {kind, subject, dedup_key, payload}.
-- An observation whose dedup_key exists already is skipped.
create or replace function ops_observation_publish(p_observations jsonb) returns jsonb
language sql as $$
    with ins as (
        insert into observations (kind, subject, dedup_key, payload)
        select o.kind, o.subject, o.dedup_key, coalesce(o.payload, '{}'::jsonb)
        from jsonb_to_recordset(p_observations)
             as o(kind text, subject text, dedup_key text, payload jsonb)
        on conflict (dedup_key) do nothing
        returning id
    )
    select jsonb_build_object('inserted', count(*), 'ids', coalesce(jsonb_agg(id), '[]'::jsonb))
    from ins
$$;


-- Observations of the given kinds published since p_since, consumed or not, oldest first:
-- what the console shows beside an incident (the anomalies that started with it).
create or replace function ops_observation_since(
    p_kinds text[],
    p_since timestamptz,
    p_limit integer default 50
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(o) order by o.observed_at, o.id), '[]'::jsonb)
    from (
        select * from observations
        where kind = any(p_kinds) and observed_at >= p_since
        order by observed_at, id
        limit least(greatest(p_limit, 1), 500)
    ) o
$$;


create or replace function ops_observation_list(
    p_after_id bigint default 0,
    p_pending_only boolean default true,
    p_kinds text[] default null,
    p_limit integer default 100
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(o) order by o.id), '[]'::jsonb)
    from (
        select * from observations
        where id > coalesce(p_after_id, 0)
          and (not p_pending_only or consumed_at is null)
          and (p_kinds is null or kind = any(p_kinds))
        order by id
        limit least(greatest(p_limit, 1), 1000)
    ) o
$$;


-- Mark observations consumed; returns how many were pending and are now consumed.
create or replace function ops_observation_consume(p_ids bigint[]) returns jsonb
language sql as $$
    with upd as (
        update observations set consumed_at = now()
        where id = any(p_ids) and consumed_at is null
        returning 1
    )
    select jsonb_build_object('consumed', count(*)) from upd
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
