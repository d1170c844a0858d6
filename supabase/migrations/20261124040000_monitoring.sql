-- Monitoring: services declared through the API, every check result, each service's current
-- state under its failure and success thresholds, and heartbeats.

create table if not exists monitor_services (
    name       text        primary key,
    config     jsonb       not null,                  -- a ServiceCheck
    created_by text        not null default 'api',
    updated_at timestamptz not null default now()
);
alter table monitor_services enable row level security;

create table if not exists monitor_results (
    id          bigint generated always as identity primary key,
    service     text        not null,
    at          timestamptz not null default now(),
    ok          boolean     not null,
    status_code integer,
    latency_ms  double precision,
    error       text,
    conditions  jsonb       not null default '[]'::jsonb
);
create index if not exists monitor_results_service_idx on monitor_results (service, at desc);
create index if not exists monitor_results_at_idx on monitor_results (at);
alter table monitor_results enable row level security;

create table if not exists monitor_state (
    service               text        primary key,
    status                text        not null default 'unknown',  -- up, down, unknown
    consecutive_failures  integer     not null default 0,
    consecutive_successes integer     not null default 0,
    since                 timestamptz not null default now(),
    last_check            timestamptz,
    last_ok               timestamptz,
    last_error            text,                        -- the last failure; cleared by a pass
    last_heartbeat        timestamptz,
    certificate_expires_at timestamptz                 -- the TLS certificate's notAfter, last seen
);
alter table monitor_state enable row level security;


create or replace function ops_monitor_service_upsert(p_name text, p_config jsonb, p_actor text)
returns jsonb
language sql as $$
    insert into monitor_services (name, config, created_by) values (p_name, p_config, p_actor)
    on conflict (name) do update set config = excluded.config, updated_at = now()
    returning to_jsonb(monitor_services.*)
$$;


create or replace function ops_monitor_service_delete(p_name text) returns jsonb
language sql as $$
    with del as (delete from monitor_services where name = p_name returning name),
         st as (delete from monitor_state where service in (select name from del) returning 1)
    select jsonb_build_object('deleted', (select count(*) from del))
$$;


create or replace function ops_monitor_service_list() returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(s) order by s.name), '[]'::jsonb) from monitor_services s
$$;


-- Store check results and move each service's state by its thresholds, atomically, so that
-- concurrent ticks cannot both count the same failure. p_results: [{service, at, ok,
-- status_code, latency_ms, error, conditions, failure_threshold, success_threshold}].
-- Returns the state changes; a change to down or back up is also published as an observation.
create or replace function ops_monitor_record(p_results jsonb) returns jsonb
language plpgsql as $$
declare
    r         record;
    v_old     monitor_state;
    v_new     monitor_state;
    v_changes jsonb := '[]'::jsonb;
begin
    for r in
        select * from jsonb_to_recordset(p_results) as x(
            service text, at timestamptz, ok boolean, status_code integer,
            latency_ms double precision, error text, conditions jsonb,
            failure_threshold integer, success_threshold integer,
            certificate_expires_at timestamptz)
        order by at
    loop
        insert into monitor_results (service, at, ok, status_code, latency_ms, error, conditions)
        values (r.service, r.at, r.ok, r.status_code, r.latency_ms, r.error,
                coalesce(r.conditions, '[]'::jsonb));
        insert into monitor_state (service, since) values (r.service, r.at)
        on conflict (service) do nothing;
        select * into v_old from monitor_state where service = r.service for update;
        update monitor_state s set
            consecutive_failures  = case when r.ok then 0 else s.consecutive_failures + 1 end,
            consecutive_successes = case when r.ok then s.consecutive_successes + 1 else 0 end,
            status = case
                when r.ok and s.status <> 'up'
                     and s.consecutive_successes + 1 >= coalesce(r.success_threshold, 1) then 'up'
                when not r.ok and s.status <> 'down'
                     and s.consecutive_failures + 1 >= coalesce(r.failure_threshold, 1) then 'down'
                else s.status end,
            last_check = greatest(coalesce(s.last_check, r.at), r.at),
            last_ok = case when r.ok then r.at else s.last_ok end,
            last_error = case when r.ok then null else r.error end,
            certificate_expires_at = coalesce(r.certificate_expires_at, s.certificate_expires_at)
        where s.service = r.service
        returning * into v_new;
        if v_new.status is distinct from v_old.status then
            update monitor_state set since = r.at where service = r.service;
            v_changes := v_changes || jsonb_build_object(
                'service', r.service, 'from', v_old.status, 'to', v_new.status, 'at', r.at,
                'error', r.error);
            if v_new.status in ('down', 'up') and not (v_old.status = 'unknown' and v_new.status = 'up') then
                insert into observations (kind, subject, dedup_key, payload)
                values ('service.' || v_new.status, r.service,
                        'service.' || v_new.status || ':' || r.service || ':' || r.at::text,
                        jsonb_build_object('service', r.service, 'from', v_old.status,
                                           'at', r.at, 'error', r.error,
                                           'status_code', r.status_code))
                on conflict (dedup_key) do nothing;
            end if;
        end if;
    end loop;
    return jsonb_build_object('recorded', jsonb_array_length(p_results), 'changes', v_changes);
end
$$;


create or replace function ops_monitor_heartbeat(p_service text, p_at timestamptz default now())
returns jsonb
language sql as $$
    insert into monitor_state (service, last_heartbeat) values (p_service, p_at)
    on conflict (service) do update set last_heartbeat = greatest(monitor_state.last_heartbeat, p_at)
    returning to_jsonb(monitor_state.*)
$$;


create or replace function ops_monitor_state_list() returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(s) order by s.service), '[]'::jsonb) from monitor_state s
$$;


-- Uptime and latency percentiles per service over each window (seconds) ending now.
create or replace function ops_monitor_uptime(p_service text default null,
                                              p_windows integer[] default '{3600,86400,604800}')
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
        'service', x.service, 'window_seconds', x.w, 'checks', x.checks, 'ok', x.ok_checks,
        'uptime', case when x.checks > 0 then x.ok_checks::double precision / x.checks end,
        'p50_ms', x.p50, 'p95_ms', x.p95, 'p99_ms', x.p99) order by x.service, x.w), '[]'::jsonb)
    from (
        select r.service, w.w, count(*) as checks, count(*) filter (where r.ok) as ok_checks,
               percentile_cont(0.5) within group (order by r.latency_ms) as p50,
               percentile_cont(0.95) within group (order by r.latency_ms) as p95,
               percentile_cont(0.99) within group (order by r.latency_ms) as p99
        from unnest(p_windows) as w(w)
        join monitor_results r on r.at >= now() - make_interval(secs => w.w)
        where p_service is null or r.service = p_service
        group by r.service, w.w
    ) x
$$;


-- Uptime bars: each service's checks in [p_from, p_to) per p_bucket_seconds, passed and all.
create or replace function ops_monitor_uptime_bars(p_from timestamptz, p_to timestamptz,
                                                   p_bucket_seconds integer)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
        'service', x.service, 'bucket', x.bucket, 'checks', x.checks, 'ok', x.ok)
        order by x.service, x.bucket), '[]'::jsonb)
    from (
        select r.service,
               floor(extract(epoch from r.at - p_from) / p_bucket_seconds)::integer as bucket,
               count(*) as checks, count(*) filter (where r.ok) as ok
        from monitor_results r
        where r.at >= p_from and r.at < p_to
        group by 1, 2
    ) x
$$;


create or replace function ops_monitor_results(p_service text, p_limit integer default 50)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(r) order by r.at desc), '[]'::jsonb)
    from (select * from monitor_results where service = p_service
          order by at desc limit least(greatest(p_limit, 1), 1000)) r
$$;


create or replace function ops_monitor_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from monitor_results where at < p_older_than order by at limit p_batch
    ), del as (
        delete from monitor_results m using doomed where m.id = doomed.id returning 1
    )
    select jsonb_build_object('deleted', count(*)) from del
$$;


select ops_lock_down();
