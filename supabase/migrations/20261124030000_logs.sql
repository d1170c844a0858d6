-- Logs: entries from Vercel log drains (stored once per log id), their templates (mined in the
-- functions, merged here so that every instance grows the same ones), full-text search, and the
-- aggregates the pattern and anomaly analyses read.

create sequence if not exists log_templates_version;

create table if not exists log_templates (
    id          text        primary key,              -- content hash of the first tokens
    tokens      jsonb       not null,                 -- ["Connection", "to", "<*>", ...]
    template    text        not null,
    merged_into text,                                 -- a more general template that replaced it
    first_seen  timestamptz,
    last_seen   timestamptz,
    count       bigint      not null default 0,
    version     bigint      not null default nextval('log_templates_version')
);
create index if not exists log_templates_version_idx on log_templates (version);
alter table log_templates enable row level security;

create table if not exists log_entries (
    id            text        primary key,            -- Vercel's log id: redeliveries repeat it
    ts            timestamptz not null,
    received_at   timestamptz not null default now(),
    level         text        not null,               -- debug, info, warning, error, fatal
    source        text,                               -- build, static, lambda, edge, external, ...
    project_id    text,
    project_name  text,
    deployment_id text,
    environment   text,
    host          text,
    path          text,
    status_code   integer,                            -- -1: the function crashed without answering
    request_id    text,
    message       text        not null default '',
    type          text,
    entrypoint    text,
    branch        text,
    region        text,                               -- executionRegion
    trace_id      text,
    method        text,                               -- proxy fields, where present
    proxy_status  integer,                            -- -1: a background revalidation
    waf_action    text,                               -- firewall entries: proxy.wafAction
    proxy_region  text,
    user_agent    text,
    client_ip     text,
    cache         text,
    template_id   text,
    via           text        not null default 'drain', -- drain (delivered) or pull (runtime logs API)
    search        tsvector generated always as (to_tsvector('simple', message)) stored
);
create index if not exists log_entries_ts_idx on log_entries (ts desc, id desc);
create index if not exists log_entries_project_ts_idx on log_entries (project_id, ts desc);
create index if not exists log_entries_deployment_ts_idx on log_entries (deployment_id, ts desc);
create index if not exists log_entries_template_ts_idx on log_entries (template_id, ts desc);
-- The lines of one request share its id: the rollup asks whether a request was seen before.
create index if not exists log_entries_request_idx on log_entries (request_id)
    where request_id is not null;
create index if not exists log_entries_problems_idx on log_entries (ts desc)
    where level in ('error', 'fatal') or status_code >= 500 or status_code = -1;
create index if not exists log_entries_search_idx on log_entries using gin (search);
-- A drain delivery deletes the pulled copies of the minutes it covers (ops_drain_ingest);
-- pulled lines are few, so that lookup does not walk the project's delivered lines.
create index if not exists log_entries_pulled_idx on log_entries (project_id, ts)
    where via = 'pull';
-- No trigram index on message: the search language's words, prefixes and phrases are driven
-- by the tsvector index (a phrase's `ilike` only rechecks candidates), and a trigram entry
-- for every line was the dearest part of storing it.
alter table log_entries enable row level security;


create or replace function ops_log_level_rank(p_level text) returns integer
language sql immutable as $$
    select case lower(p_level)
        when 'trace' then 0 when 'debug' then 1 when 'info' then 2 when 'warning' then 3
        when 'warn' then 3 when 'error' then 4 when 'fatal' then 5 else 2 end
$$;


-- Templates created or merged since p_after_version, oldest change first.
create or replace function ops_log_template_changes(p_after_version bigint default 0,
                                                    p_limit integer default 5000)
returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'templates', coalesce(jsonb_agg(jsonb_build_object(
            'id', t.id, 'tokens', t.tokens, 'merged_into', t.merged_into, 'version', t.version)
            order by t.version), '[]'::jsonb),
        'version', coalesce(max(t.version), p_after_version))
    from (select * from log_templates where version > p_after_version
          order by version limit p_limit) t
$$;


-- Where pulling a deployment's runtime logs got to (the API has no cursor of its own): the
-- newest entry read, so a pull reads only what came after it.
create table if not exists log_pull_cursors (
    deployment_id text        primary key,
    project_id    text,
    last_ts       timestamptz not null,
    pulled        bigint      not null default 0,
    updated_at    timestamptz not null default now()
);
alter table log_pull_cursors enable row level security;


create or replace function ops_log_pull_cursor(p_deployment text) returns jsonb
language sql stable as $$
    select to_jsonb(c) from log_pull_cursors c where c.deployment_id = p_deployment
$$;


create or replace function ops_log_pull_cursor_set(p_deployment text, p_project text,
                                                   p_last_ts timestamptz, p_pulled integer)
returns void
language sql as $$
    insert into log_pull_cursors (deployment_id, project_id, last_ts, pulled)
    values (p_deployment, p_project, p_last_ts, p_pulled)
    on conflict (deployment_id) do update set
        last_ts = greatest(log_pull_cursors.last_ts, excluded.last_ts),
        pulled = log_pull_cursors.pulled + excluded.pulled, updated_at = now()
$$;


-- Whether a log drain delivered entries of the project (id or name) since p_since: then its
-- logs need no pulling.
create or replace function ops_log_drained_since(p_project text, p_since timestamptz)
returns boolean
language sql stable as $$
    select exists (
        select 1 from log_entries
        where via = 'drain' and ts >= p_since
          and (project_id = p_project or project_name = p_project))
$$;


create or replace function ops_log_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from log_entries where ts < p_older_than order by ts limit p_batch
    ), del as (
        delete from log_entries l using doomed where l.id = doomed.id returning 1
    )
    select jsonb_build_object('deleted', count(*)) from del
$$;


-- A search filter (a JSON tree from the query parser) as a SQL condition. Only known fields
-- become columns, and every value goes through quote_literal, so the tree cannot inject SQL.
create or replace function ops_log_filter_sql(p_node jsonb) returns text
language plpgsql immutable as $$
declare
    v_op    text := p_node->>'op';
    v_value text := p_node->>'value';
    v_cmp   text := coalesce(p_node->>'cmp', '=');
    v_col   text;
    v_parts text[];
    v_arg   jsonb;
begin
    if v_op in ('and', 'or') then
        for v_arg in select a from jsonb_array_elements(p_node->'args') a loop
            v_parts := v_parts || ('(' || ops_log_filter_sql(v_arg) || ')');
        end loop;
        if v_parts is null then
            return 'true';
        end if;
        return array_to_string(v_parts, case v_op when 'and' then ' and ' else ' or ' end);
    elsif v_op = 'not' then
        return 'not coalesce((' || ops_log_filter_sql(p_node->'arg') || '), false)';
    elsif v_op = 'word' then
        return format('search @@ plainto_tsquery(''simple'', %L)', v_value);
    elsif v_op = 'prefix' then
        return format('search @@ to_tsquery(''simple'', %L)', v_value || ':*');
    elsif v_op = 'phrase' then
        return format('(search @@ phraseto_tsquery(''simple'', %L) and message ilike %L)',
                      v_value, '%' || replace(replace(replace(v_value, '\', '\\'), '%', '\%'), '_', '\_') || '%');
    elsif v_op = 'field' then
        v_col := case p_node->>'field'
            when 'level' then 'level' when 'source' then 'source' when 'project' then 'project'
            when 'deployment' then 'deployment_id' when 'environment' then 'environment'
            when 'host' then 'host' when 'path' then 'path' when 'status' then 'status'
            when 'method' then 'method' when 'region' then 'region'
            when 'request' then 'request_id' when 'template' then 'template_id'
            when 'branch' then 'branch' when 'type' then 'type' when 'via' then 'via' end;
        if v_col is null then
            raise exception 'unknown search field %', p_node->>'field' using errcode = '22023';
        end if;
        if v_col = 'status' then
            if v_cmp = 'class' then  -- 5xx
                return format('coalesce(proxy_status, status_code) between %s and %s',
                              (v_value::integer) * 100, (v_value::integer) * 100 + 99);
            end if;
            if v_cmp not in ('=', '!=', '<', '<=', '>', '>=') then
                raise exception 'bad comparison %', v_cmp using errcode = '22023';
            end if;
            return format('coalesce(proxy_status, status_code) %s %s', v_cmp, v_value::integer);
        elsif v_col = 'level' and v_cmp in ('>', '>=', '<', '<=') then
            return format('ops_log_level_rank(level) %s ops_log_level_rank(%L)', v_cmp, v_value);
        elsif v_col = 'project' then
            return format('(project_id = %L or project_name = %L)', v_value, v_value);
        elsif v_cmp = 'glob' then
            return format('%I like %L', v_col,
                          replace(replace(replace(replace(v_value, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%'));
        elsif v_cmp = '!=' then
            return format('%I is distinct from %L', v_col, v_value);
        end if;
        return format('%I = %L', v_col, v_value);
    end if;
    raise exception 'unknown filter node %', v_op using errcode = '22023';
end
$$;


-- Newest first within [p_from, p_to), keyset-paginated by (ts, id), each hit with its
-- template (followed through one merge).
create or replace function ops_log_search(
    p_filter jsonb,
    p_from timestamptz,
    p_to timestamptz,
    p_limit integer default 100,
    p_before_ts timestamptz default null,
    p_before_id text default null
) returns jsonb
language plpgsql stable as $$
declare
    v_sql  text;
    v_rows jsonb;
begin
    v_sql := format(
        'select coalesce(jsonb_agg(to_jsonb(x) order by x.ts desc, x.id desc), ''[]''::jsonb) from (
            select e.id, e.ts, e.level, e.source, e.project_id, e.project_name, e.deployment_id,
                   e.environment, e.host, e.path, e.status_code, e.request_id, e.message,
                   e.method, e.proxy_status, e.waf_action, e.region, e.type, e.via,
                   coalesce(t.merged_into, e.template_id) as template_id,
                   coalesce(m.template, t.template) as template
            from log_entries e
            left join log_templates t on t.id = e.template_id
            left join log_templates m on m.id = t.merged_into
            where e.ts >= %L and e.ts < %L %s and (%s)
            order by e.ts desc, e.id desc
            limit %s) x',
        p_from, p_to,
        case when p_before_ts is null then ''
             else format('and (e.ts, e.id) < (%L::timestamptz, %L)', p_before_ts, coalesce(p_before_id, '')) end,
        ops_log_filter_sql(coalesce(p_filter, '{"op": "and", "args": []}'::jsonb)),
        least(greatest(p_limit, 1), 1000));
    execute v_sql into v_rows;
    return v_rows;
end
$$;


-- Templates of matching entries in [p_from, p_to): counts per bucket, first and last seen,
-- deployments and paths involved, and a few sample messages; most frequent first.
create or replace function ops_log_patterns(
    p_from timestamptz,
    p_to timestamptz,
    p_project text default null,
    p_min_level text default 'warning',
    p_bucket_seconds integer default 3600,
    p_limit integer default 50
) returns jsonb
language sql stable as $$
    with e as (
        select l.*, coalesce(t.merged_into, l.template_id) as tid,
               floor(extract(epoch from l.ts - p_from) / p_bucket_seconds)::integer as bucket
        from log_entries l
        left join log_templates t on t.id = l.template_id
        where l.ts >= p_from and l.ts < p_to
          and (p_project is null or l.project_id = p_project or l.project_name = p_project)
          and (ops_log_level_rank(l.level) >= ops_log_level_rank(p_min_level)
               or l.status_code >= 500 or l.status_code = -1)
          and l.template_id is not null
    ), top as (
        select tid, count(*) as n from e group by tid order by n desc limit least(p_limit, 500)
    )
    select coalesce(jsonb_agg(jsonb_build_object(
        'template_id', top.tid,
        'template', (select template from log_templates where id = top.tid),
        'count', top.n,
        'first_seen', (select min(ts) from e where e.tid = top.tid),
        'last_seen', (select max(ts) from e where e.tid = top.tid),
        'first_seen_ever', (select first_seen from log_templates where id = top.tid),
        'buckets', (select jsonb_object_agg(bucket, c) from (
                        select bucket, count(*) as c from e where e.tid = top.tid group by bucket) b),
        'levels', (select jsonb_object_agg(level, c) from (
                        select level, count(*) as c from e where e.tid = top.tid group by level) lv),
        'deployments', (select coalesce(jsonb_agg(d), '[]'::jsonb) from (
                        select deployment_id as d from e where e.tid = top.tid and deployment_id is not null
                        group by deployment_id order by count(*) desc limit 5) dd),
        'paths', (select coalesce(jsonb_agg(p), '[]'::jsonb) from (
                        select path as p from e where e.tid = top.tid and path is not null
                        group by path order by count(*) desc limit 5) pp),
        'samples', (select coalesce(jsonb_agg(m), '[]'::jsonb) from (
                        select left(message, 500) as m from e where e.tid = top.tid
                        order by ts desc limit 3) ss)
        ) order by top.n desc), '[]'::jsonb)
    from top
$$;


-- Per-bucket traffic and error figures in [p_from, p_to): what the anomaly detector reads.
-- Requests are counted once however many lines they logged (by request id); a background
-- revalidation (proxy status -1) is not a request, a crash (status -1) is a server error.
-- Of pulled runtime logs (no request id), the `request` rows are the requests.
create or replace function ops_log_series(
    p_from timestamptz,
    p_to timestamptz,
    p_project text default null,
    p_bucket_seconds integer default 300
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
        'bucket', b.bucket, 'total', b.total, 'errors', b.errors, 'requests', b.requests,
        'server_errors', b.server_errors) order by b.bucket),
        '[]'::jsonb)
    from (
        select floor(extract(epoch from ts - p_from) / p_bucket_seconds)::integer as bucket,
               count(*) as total,
               count(*) filter (where level in ('error', 'fatal')) as errors,
               count(distinct coalesce(request_id, id))
                   filter (where (via = 'drain' or source = 'request')
                             and (coalesce(proxy_status, status_code) is not null
                                  and coalesce(proxy_status, status_code) not in (0, -1)
                                  or status_code = -1)) as requests,
               count(distinct coalesce(request_id, id))
                   filter (where (via = 'drain' or source = 'request')
                             and (coalesce(proxy_status, status_code) >= 500
                                  or status_code = -1)) as server_errors
        from log_entries
        where ts >= p_from and ts < p_to
          and (p_project is null or project_id = p_project or project_name = p_project)
        group by 1
    ) b
$$;


-- Per-bucket counts of the given templates in [p_from, p_to).
create or replace function ops_log_template_series(
    p_template_ids text[],
    p_from timestamptz,
    p_to timestamptz,
    p_project text default null,
    p_bucket_seconds integer default 300
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_object_agg(tid, buckets), '{}'::jsonb)
    from (
        select tid, jsonb_object_agg(bucket, n) as buckets
        from (
            select coalesce(t.merged_into, l.template_id) as tid,
                   floor(extract(epoch from l.ts - p_from) / p_bucket_seconds)::integer as bucket,
                   count(*) as n
            from log_entries l left join log_templates t on t.id = l.template_id
            where l.ts >= p_from and l.ts < p_to
              and (p_project is null or l.project_id = p_project or l.project_name = p_project)
              and coalesce(t.merged_into, l.template_id) = any(p_template_ids)
            group by 1, 2
        ) s group by tid
    ) x
$$;


select ops_lock_down();
