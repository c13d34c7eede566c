#!/usr/bin/python3
"""Evaluates every query of a Grafana dashboard through Prometheus' HTTP API, as the panel would over a time
range: /api/v1/query_range from START to END (Unix seconds) with STEP seconds, $__rate_interval and
$__interval replaced as Grafana does (rate interval = max(interval + scrape interval, 4 x scrape interval);
the scrape interval is the datasource's timeInterval), and each template variable ($model) set to All (its
allValue, else .*), as the dashboard opens. Prints a table panel | query | series (points) and
exits 1 when a query fails or returns no series.
  dashboard-queries.py DASHBOARD.json PROMETHEUS_URL START END [STEP] [SCRAPE_INTERVAL]
"""
import json
import re
import sys
import urllib.parse
import urllib.request


def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get('panels', []))


def variables(dashboard):
    """Each template variable's value as a panel gets it when All is selected: ${name}, ${name:regex}, $name."""
    values = {}
    for variable in dashboard.get('templating', {}).get('list', []):
        values[variable['name']] = variable.get('allValue') or '.*'
    return values


def substitute(expr, values):
    for name in sorted(values, key=len, reverse=True):
        expr = re.sub(r'\$\{%s(:[a-z]+)?\}|\$%s\b' % (re.escape(name), re.escape(name)), lambda m: values[name], expr)
    return expr


def main(path, url, start, end, step='5', scrape='5'):
    step, scrape = int(step), int(scrape)
    rate_interval = '%ds' % max(step + scrape, 4 * scrape)
    with open(path) as stream:
        dashboard = json.load(stream)
    values = variables(dashboard)
    rows, empty = [], 0
    for panel in panels(dashboard.get('panels', [])):
        for target in panel.get('targets', []):
            expr = target.get('expr')
            if not expr:
                continue
            query = expr.replace('$__rate_interval', rate_interval).replace('$__interval', '%ds' % step)
            query = substitute(query, values)
            parameters = urllib.parse.urlencode({'query': query, 'start': start, 'end': end, 'step': step})
            try:
                with urllib.request.urlopen('%s/api/v1/query_range?%s' % (url, parameters), timeout=30) as answer:
                    body = json.load(answer)
                result = body['data']['result']
                series = len(result)
                points = sum(len(item.get('values', [])) for item in result)
                outcome = '%d (%d points)' % (series, points)
            except Exception as error:  # an HTTP 400 is a wrong query: printed in the table
                detail = getattr(error, 'read', lambda: b'')().decode(errors='replace')[:200]
                series, outcome = 0, 'ERROR %s %s' % (error, detail)
            if series == 0:
                empty += 1
                outcome += '  <-- NO DATA' if not outcome.startswith('ERROR') else ''
            rows.append((panel.get('title', '?'), expr, outcome))
    width = max(len(row[0]) for row in rows)
    print('%-*s | %s | %s' % (width, 'panel', 'query', 'series'))
    for title, expr, outcome in rows:
        print('%-*s | %s | %s' % (width, title, expr, outcome))
    print('%d queries, %d with data, %d without' % (len(rows), len(rows) - empty, empty))
    return 1 if empty else 0


if __name__ == '__main__':
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
