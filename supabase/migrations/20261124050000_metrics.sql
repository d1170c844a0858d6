-- Metrics: per-minute request rollups made from drained logs as they are ingested (requests,
-- 4xx, 5xx, and a latency histogram per project, environment, deployment and route), samples
-- pushed by hosts and services, and named custom metrics (query-language expressions).

create table if not exists metric_rollups (
    minute           timestamptz not null,
    project          text        not null default '',
    environment      text        not null default '',
    deployment       text        not null default '',
    route            text        not null default '',
    requests         integer     not null default 0,
    status_4xx       integer     not null default 0,
    status_5xx       integer     not null default 0,
    duration_count   integer     not null default 0,
    duration_sum     double precision not null default 0,
    -- counts per latency bucket, upper bounds in ms: 5 10 25 50 100 250 500 1000 2500 5000 10000 +Inf
    duration_buckets integer[]   not null default '{0,0,0,0,0,0,0,0,0,0,0,0}',
    primary key (minute, project, environment, deployment, route)
);
create index if not exists metric_rollups_project_idx on metric_rollups (project, minute desc);
alter table metric_rollups enable row level security;

create table if not exists metric_samples (
    id     text        primary key,                   -- the sender's sample id: resends are no-ops
    name   text        not null,
    labels jsonb       not null default '{}'::jsonb,
    ts     timestamptz not null,
    value  double precision not null
);
create index if not exists metric_samples_name_ts_idx on metric_samples (name, ts desc);
create index if not exists metric_samples_ts_idx on metric_samples (ts);
alter table metric_samples enable row level security;

create table if not exists metric_definitions (
    name        text        primary key,
    query       text        not null,
    description text,
    created_by  text        not null,
    updated_at  timestamptz not null default now()
);
alter table metric_definitions enable row level security;


create or replace function ops_metric_bucket(p_ms double precision) returns integer
language sql immutable as $$
    select width_bucket(p_ms, array[5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]::double precision[]) + 1
$$;


-- Log ingest, now also rolling requests up per minute. Same contract as before: one call per
-- delivery; entries already stored are skipped and counted nowhere.
create or replace function ops_log_ingest(p_entries jsonb, p_templates jsonb default '[]')
returns jsonb
language plpgsql as $$
declare
    v_inserted integer;
begin
    insert into log_templates (id, tokens, template, merged_into)
    select t.id, t.tokens, t.template, t.merged_into
    from jsonb_to_recordset(p_templates) as t(id text, tokens jsonb, template text, merged_into text)
    on conflict (id) do update
        set merged_into = excluded.merged_into, version = nextval('log_templates_version')
        where log_templates.merged_into is null and excluded.merged_into is not null
          and excluded.merged_into <> log_templates.id;

    create temporary table if not exists pg_temp.ops_ingested (
        template_id text, ts timestamptz, project text, environment text, deployment text,
        route text, status integer, duration_ms double precision
    ) on commit drop;

    with ins as (
        insert into log_entries (id, ts, level, source, project_id, project_name, deployment_id,
                                 environment, host, path, status_code, request_id, message, type,
                                 entrypoint, branch, region, trace_id, method, proxy_status,
                                 duration_ms, proxy_region, user_agent, client_ip, cache,
                                 template_id)
        select e.id, e.ts, e.level, e.source, e.project_id, e.project_name, e.deployment_id,
               e.environment, e.host, e.path, e.status_code, e.request_id,
               coalesce(e.message, ''), e.type, e.entrypoint, e.branch, e.region, e.trace_id,
               e.method, e.proxy_status, e.duration_ms, e.proxy_region, e.user_agent,
               e.client_ip, e.cache, e.template_id
        from jsonb_to_recordset(p_entries) as e(
            id text, ts timestamptz, level text, source text, project_id text,
            project_name text, deployment_id text, environment text, host text, path text,
            status_code integer, request_id text, message text, type text, entrypoint text,
            branch text, region text, trace_id text, method text, proxy_status integer,
            duration_ms double precision, proxy_region text, user_agent text, client_ip text,
            cache text, template_id text)
        on conflict (id) do nothing
        returning id, template_id, ts, coalesce(project_name, project_id) as project,
                  environment, deployment_id, coalesce(proxy_status, status_code) as status,
                  duration_ms
    )
    insert into pg_temp.ops_ingested
    select ins.template_id, ins.ts, ins.project, ins.environment, ins.deployment_id,
           r.route, ins.status, ins.duration_ms
    from ins
    left join jsonb_to_recordset(p_entries) as r(id text, route text) on r.id = ins.id;

    get diagnostics v_inserted = row_count;

    update log_templates t
    set count = t.count + p.n,
        first_seen = least(coalesce(t.first_seen, p.first_ts), p.first_ts),
        last_seen = greatest(coalesce(t.last_seen, p.last_ts), p.last_ts)
    from (select template_id, count(*) as n, min(ts) as first_ts, max(ts) as last_ts
          from pg_temp.ops_ingested where template_id is not null group by template_id) p
    where t.id = p.template_id;

    insert into metric_rollups as m (minute, project, environment, deployment, route, requests,
                                     status_4xx, status_5xx, duration_count, duration_sum,
                                     duration_buckets)
    with req as (
        select date_trunc('minute', ts) as minute, coalesce(project, '') as project,
               coalesce(environment, '') as environment, coalesce(deployment, '') as deployment,
               coalesce(route, '') as route, status, duration_ms
        from pg_temp.ops_ingested
        where status is not null and status <> 0
    ), g as (
        select minute, project, environment, deployment, route, count(*) as requests,
               count(*) filter (where status between 400 and 499) as s4,
               count(*) filter (where status >= 500 or status = -1) as s5,
               count(duration_ms) as dcount, coalesce(sum(duration_ms), 0) as dsum
        from req group by 1, 2, 3, 4, 5
    ), h as (
        select minute, project, environment, deployment, route,
               ops_metric_bucket(duration_ms) as bucket, count(*) as n
        from req where duration_ms is not null group by 1, 2, 3, 4, 5, 6
    ), hb as (
        select g.minute, g.project, g.environment, g.deployment, g.route,
               array_agg(coalesce(h.n, 0)::integer order by i) as buckets
        from g cross join generate_series(1, 12) as i
        left join h on h.minute = g.minute and h.project = g.project
                   and h.environment = g.environment and h.deployment = g.deployment
                   and h.route = g.route and h.bucket = i
        group by g.minute, g.project, g.environment, g.deployment, g.route
    )
    select g.minute, g.project, g.environment, g.deployment, g.route, g.requests, g.s4, g.s5,
           g.dcount, g.dsum, hb.buckets
    from g join hb using (minute, project, environment, deployment, route)
    on conflict (minute, project, environment, deployment, route) do update set
        requests = m.requests + excluded.requests,
        status_4xx = m.status_4xx + excluded.status_4xx,
        status_5xx = m.status_5xx + excluded.status_5xx,
        duration_count = m.duration_count + excluded.duration_count,
        duration_sum = m.duration_sum + excluded.duration_sum,
        duration_buckets = array(select a + b from unnest(m.duration_buckets, excluded.duration_buckets) as u(a, b));

    drop table pg_temp.ops_ingested;

    return jsonb_build_object('received', jsonb_array_length(p_entries), 'inserted', v_inserted,
                              'duplicates', jsonb_array_length(p_entries) - v_inserted);
end
$$;


-- Label filters (p_filters: [{label, op, value}] with op one of = != =~ !~) as SQL, against a
-- row's label values given as a jsonb object expression. Values go through quote_literal.
create or replace function ops_metric_filter_sql(p_filters jsonb, p_labels text) returns text
language plpgsql immutable as $$
declare
    f      jsonb;
    v_sql  text := 'true';
    v_expr text;
begin
    for f in select x from jsonb_array_elements(coalesce(p_filters, '[]'::jsonb)) x loop
        v_expr := format('coalesce((%s)->>%L, %L)', p_labels, f->>'label', '');
        v_sql := v_sql || ' and ' || case f->>'op'
            when '=' then format('%s = %L', v_expr, f->>'value')
            when '!=' then format('%s <> %L', v_expr, f->>'value')
            when '=~' then format('%s ~ %L', v_expr, '^(?:' || (f->>'value') || ')$')
            when '!~' then format('%s !~ %L', v_expr, '^(?:' || (f->>'value') || ')$')
            else null end;
        if v_sql is null then
            raise exception 'unknown label operator %', f->>'op' using errcode = '22023';
        end if;
    end loop;
    return v_sql;
end
$$;


-- Request rollups per minute in [p_from, p_to), summed over the label sets that match.
create or replace function ops_metric_rollup_series(p_from timestamptz, p_to timestamptz,
                                                    p_filters jsonb default '[]')
returns jsonb
language plpgsql stable as $$
declare
    v_rows jsonb;
begin
    execute format(
        'select coalesce(jsonb_agg(x order by x.minute), ''[]''::jsonb) from (
            select minute, sum(requests)::bigint as requests, sum(status_4xx)::bigint as status_4xx,
                   sum(status_5xx)::bigint as status_5xx,
                   sum(duration_count)::bigint as duration_count,
                   sum(duration_sum) as duration_sum,
                   array(select sum(b)::bigint from unnest(array_agg(duration_buckets)) with ordinality
                         as u(b, i) group by (i - 1) %% 12 order by (i - 1) %% 12) as buckets
            from metric_rollups
            where minute >= %L and minute < %L and %s
            group by minute) x',
        p_from, p_to,
        ops_metric_filter_sql(p_filters, 'jsonb_build_object(''project'', project, ''environment'', environment, ''deployment'', deployment, ''route'', route, ''path'', route)'))
    into v_rows;
    return v_rows;
end
$$;


create or replace function ops_metric_samples_ingest(p_samples jsonb) returns jsonb
language sql as $$
    with ins as (
        insert into metric_samples (id, name, labels, ts, value)
        select s.id, s.name, coalesce(s.labels, '{}'::jsonb), s.ts, s.value
        from jsonb_to_recordset(p_samples) as s(id text, name text, labels jsonb, ts timestamptz,
                                                value double precision)
        on conflict (id) do nothing
        returning 1
    )
    select jsonb_build_object('received', jsonb_array_length(p_samples),
                              'inserted', (select count(*) from ins))
$$;


-- Pushed samples of one metric in [p_from, p_to) whose labels match, oldest first.
create or replace function ops_metric_sample_series(p_name text, p_from timestamptz,
                                                    p_to timestamptz, p_filters jsonb default '[]')
returns jsonb
language plpgsql stable as $$
declare
    v_rows jsonb;
begin
    execute format(
        'select coalesce(jsonb_agg(jsonb_build_array(extract(epoch from ts), value) order by ts), ''[]''::jsonb)
         from metric_samples where name = %L and ts >= %L and ts < %L and %s',
        p_name, p_from, p_to, ops_metric_filter_sql(p_filters, 'labels'))
    into v_rows;
    return v_rows;
end
$$;


create or replace function ops_metric_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from metric_samples where ts < p_older_than order by ts limit p_batch
    ), del as (
        delete from metric_samples m using doomed where m.id = doomed.id returning 1
    ), old_rollups as (
        select minute, project, environment, deployment, route from metric_rollups
        where minute < p_older_than order by minute limit p_batch
    ), roll as (
        delete from metric_rollups m using old_rollups o
        where (m.minute, m.project, m.environment, m.deployment, m.route)
            = (o.minute, o.project, o.environment, o.deployment, o.route)
        returning 1
    )
    select jsonb_build_object('deleted', (select count(*) from del) + (select count(*) from roll))
$$;


create or replace function ops_metric_definition_upsert(p_name text, p_query text,
                                                        p_description text, p_actor text)
returns jsonb
language sql as $$
    insert into metric_definitions (name, query, description, created_by)
    values (p_name, p_query, p_description, p_actor)
    on conflict (name) do update set query = excluded.query,
        description = excluded.description, updated_at = now()
    returning to_jsonb(metric_definitions.*)
$$;


create or replace function ops_metric_definition_list() returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(d) order by d.name), '[]'::jsonb) from metric_definitions d
$$;


create or replace function ops_metric_definition_delete(p_name text) returns jsonb
language sql as $$
    with del as (delete from metric_definitions where name = p_name returning 1)
    select jsonb_build_object('deleted', (select count(*) from del))
$$;


select ops_lock_down();
