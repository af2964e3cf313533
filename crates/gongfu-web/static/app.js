// Gongfu page behaviour. No inline scripts: pages carry data in <script type="application/json">
// islands and data-* attributes, and this file wires them up.
(function () {
  'use strict';

  var PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452',
    '#9a60b4', '#ea7ccc', '#2f4554', '#c23531', '#61a0a8', '#d48265', '#749f83', '#ca8622', '#6e7074'];
  var NONE = '#d5dbe1';
  var COMMUNITY = '#eceff3';
  var INCOME_BANDS = [[50, '50万以下', '#fde0c5'], [80, '50–80万', '#facba6'], [100, '80–100万', '#f8b58b'],
    [150, '100–150万', '#f59e72'], [300, '150–300万', '#f2855d'], [1000, '300–1000万', '#ef6a4c'], [Infinity, '1000万以上', '#c8322a']];

  function island(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function wan(fen) {
    return fen == null ? '—' : (fen / 1000000).toLocaleString('zh-CN', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function charts() {
    return window.echarts;
  }
  function makeChart(el, opts) {
    var c = charts().init(el, null, opts || { renderer: 'svg' });
    window.addEventListener('resize', function () { c.resize(); });
    return c;
  }

  function dashboard() {
    var d = island('dashboard-data');
    if (!d || !charts()) return;
    var towns = document.getElementById('chart-towns');
    if (towns) {
      towns.style.height = Math.max(300, d.by_town.length * 22 + 60) + 'px';
      makeChart(towns).setOption({
        grid: { left: 70, right: 16, top: 30, bottom: 24 },
        legend: { data: ['已覆盖', '未覆盖'], top: 0 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: d.by_town.map(function (t) { return t.name; }), inverse: true },
        series: [
          { name: '已覆盖', type: 'bar', stack: 'v', data: d.by_town.map(function (t) { return t.covered; }), itemStyle: { color: '#1f7a4d' } },
          { name: '未覆盖', type: 'bar', stack: 'v', data: d.by_town.map(function (t) { return t.villages - t.covered; }), itemStyle: { color: '#e0a93b' } }
        ]
      });
    }
    var bands = document.getElementById('chart-bands');
    if (bands) {
      makeChart(bands).setOption({
        grid: { left: 40, right: 16, top: 20, bottom: 50 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: d.income_bands.map(function (b) { return b[0]; }), axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: 'value', name: '村数', minInterval: 1 },
        series: [{ type: 'bar', data: d.income_bands.map(function (b) { return b[1]; }), itemStyle: { color: '#b8322a' } }]
      });
    }
    var trend = document.getElementById('chart-trend');
    if (trend) {
      makeChart(trend).setOption({
        grid: { left: 70, right: 16, top: 20, bottom: 30 },
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + ' 万元'; } },
        xAxis: { type: 'category', data: d.income_by_year.map(function (r) { return r[0] + '年'; }) },
        yAxis: { type: 'value', name: '万元' },
        series: [{ type: 'line', data: d.income_by_year.map(function (r) { return Math.round(r[1] / 1000000); }), itemStyle: { color: '#1d5fa8' },
          label: { show: true, formatter: function (x) { return x.value.toLocaleString('zh-CN'); } } }]
      });
    }
  }

  function villageYears() {
    var rows = island('village-years');
    var el = document.getElementById('chart-village-years');
    if (!rows || !el || !charts() || rows.length === 0) { if (el) el.style.display = 'none'; return; }
    makeChart(el).setOption({
      grid: { left: 56, right: 60, top: 30, bottom: 56 },
      legend: { bottom: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: rows.map(function (r) { return r.year + '年'; }), axisLabel: { interval: 0 } },
      yAxis: [{ type: 'value', name: '万元' }, { type: 'value', name: '元' }],
      series: [
        { name: '经营性收入（万元）', type: 'bar', data: rows.map(function (r) { return +(r.operating_income_fen / 1000000).toFixed(1); }), itemStyle: { color: '#b8322a' } },
        { name: '人均可支配收入（元）', type: 'line', yAxisIndex: 1, data: rows.map(function (r) { return Math.round(r.disposable_income_fen / 100); }), itemStyle: { color: '#1d5fa8' } }
      ]
    });
  }

  function zoneColour(id) {
    return PALETTE[(id * 7) % PALETTE.length];
  }
  function townColour(code) {
    var n = parseInt(code.slice(-3), 10) || 0;
    return PALETTE[(n * 5) % PALETTE.length];
  }
  function incomeColour(fen) {
    if (fen == null) return NONE;
    var w = fen / 1000000;
    for (var i = 0; i < INCOME_BANDS.length; i++) if (w < INCOME_BANDS[i][0]) return INCOME_BANDS[i][2];
    return NONE;
  }
  function colourOf(p, mode) {
    if (p.kind === 'community' && mode !== 'town') return COMMUNITY;
    if (mode === 'income') return incomeColour(p.operating_income_fen);
    if (mode === 'weak') return p.weak === true ? '#c2410c' : (p.weak === false ? '#9fd3b5' : NONE);
    if (mode === 'town') return townColour(p.code.slice(0, 9));
    if (mode === 'plan') return p.plan_zone == null ? NONE : PALETTE[(p.plan_zone * 7 + 3) % PALETTE.length];
    if (mode === 'service') return p.svc == null ? NONE : ({ covered: '#9fd3b5', gained: '#5b8ff9', out: '#f4a259' })[p.svc];
    return p.zone_id == null ? NONE : zoneColour(p.zone_id);
  }

  function drawMap(el, geo, mode, mapName, marks) {
    var items = geo.features.map(function (f) {
      var p = f.properties;
      var item = { name: p.code, value: p.operating_income_fen, itemStyle: { areaColor: colourOf(p, mode) }, props: p };
      // The 共富元素 layer: a ◆ with the elements' names on their villages.
      if (marks && marks[p.code]) {
        item.label = { show: true, formatter: '◆' + marks[p.code], color: '#b45309', fontWeight: 'bold' };
      } else if (mode === 'service') {
        if (p.svc_site) item.label = { show: true, formatter: '★' + p.svc_site + '·' + p.name, color: '#3b0764', fontWeight: 'bold' };
      } else if (mode === 'plan' ? p.plan_key : p.role === 'key') item.label = { show: true, formatter: '★' + p.name, color: '#3b0764', fontWeight: 'bold' };
      return item;
    });
    // SVG keeps one element per region (easy to test, crisp); past a few thousand regions the
    // canvas renderer is the one that stays responsive.
    var chart = charts().getInstanceByDom(el) ||
      makeChart(el, { renderer: geo.features.length > 3000 ? 'canvas' : 'svg' });
    chart.setOption({
      tooltip: {
        trigger: 'item',
        formatter: function (x) {
          var p = x.data && x.data.props;
          if (!p) return '';
          return esc(p.town + ' · ' + p.name) + '<br>' + (p.zone_name ? esc(p.zone_name) : (p.kind === 'community' ? '社区' : '未纳入片区')) +
            '<br>经营性收入 ' + wan(p.operating_income_fen) + ' 万元' + (p.weak ? '（薄弱村）' : '');
        }
      },
      series: [{
        type: 'map', map: mapName, nameProperty: 'code', roam: true, selectedMode: false,
        label: { show: false }, emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffe08a' } },
        labelLayout: { hideOverlap: true },
        itemStyle: { borderColor: '#ffffff', borderWidth: 0.6 },
        data: items
      }]
    }, true);
    return chart;
  }

  function legendFor(mode) {
    var el = document.querySelector('.legend-note');
    if (!el) return;
    if (mode === 'income') {
      el.innerHTML = INCOME_BANDS.map(function (b) { return '<span class="swatch" style="background:' + b[2] + '"></span>' + b[1]; }).join(' ');
    } else if (mode === 'weak') {
      el.innerHTML = '<span class="swatch" style="background:#c2410c"></span>薄弱村 <span class="swatch" style="background:#9fd3b5"></span>非薄弱村 <span class="swatch" style="background:' + COMMUNITY + '"></span>社区';
    } else if (mode === 'town') {
      el.textContent = '每种颜色为一个镇街';
    } else {
      el.innerHTML = '★ 重点村　每种颜色为一个片区　<span class="swatch" style="background:' + NONE + '"></span>未纳入片区 <span class="swatch" style="background:' + COMMUNITY + '"></span>社区';
    }
  }

  function showCard(code) {
    var card = document.getElementById('village-card');
    if (!card) return;
    card.innerHTML = '<p class="muted">加载中…</p>';
    // On a phone the card sits below the map: bring it into view.
    if (window.innerWidth < 800) card.scrollIntoView({ behavior: 'smooth', block: 'start' });
    fetch('/api/v1/villages/' + encodeURIComponent(code)).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (d) {
      var v = d.village;
      var zone = v.zone_id ? '<a href="/zones/' + v.zone_id + '">' + esc(v.zone_name) + '</a>' + (v.role === 'key' ? '（重点村）' : '（联结村）')
        : (v.kind === 'community' ? '社区不纳入联合体' : '<span class="warn-text">未纳入联合体</span>');
      card.innerHTML = '<h2 id="card-name">' + esc(v.name) + '</h2>' +
        '<p class="muted">' + esc(v.town) + ' · ' + esc(v.code) + '</p>' +
        '<dl>' +
        '<dt>所属片区</dt><dd>' + zone + '</dd>' +
        '<dt>经营性收入</dt><dd>' + wan(v.operating_income_fen) + ' 万元' + (v.year ? '（' + v.year + '年）' : '') + (v.weak ? ' <span class="tag weak">薄弱村</span>' : '') + '</dd>' +
        '<dt>户籍人口</dt><dd>' + (v.population == null ? '—' : v.population.toLocaleString('zh-CN')) + '</dd>' +
        '<dt>人均可支配收入</dt><dd>' + (v.disposable_income_fen == null ? '—' : Math.round(v.disposable_income_fen / 100).toLocaleString('zh-CN') + ' 元') + '</dd>' +
        '<dt>产业</dt><dd>' + (v.tags.length ? esc(v.tags.join('、')) : '—') + '</dd>' +
        '</dl><p><a class="btn" href="/villages/' + encodeURIComponent(v.code) + '">查看详情</a></p>';
    }).catch(function (e) {
      card.innerHTML = '<p class="errors">村情加载失败：' + esc(e.message) + '</p>';
    });
  }

  function mainMap() {
    var el = document.getElementById('map');
    if (!el || !charts()) return;
    el.innerHTML = '<p class="muted" style="padding:16px">地图加载中…</p>';
    fetch(el.dataset.src).then(function (r) { return r.json(); }).then(function (geo) {
      el.innerHTML = '';
      charts().registerMap('district', geo);
      var select = document.getElementById('map-colour');
      var mode = select ? select.value : 'zone';
      var chart = drawMap(el, geo, mode, 'district');
      legendFor(mode);
      el.dataset.drawn = String(geo.features.length);
      chart.on('click', function (x) { if (x.name) showCard(x.name); });
      var layer = document.getElementById('map-elements');
      var marks = null;
      function redraw() {
        drawMap(el, geo, select ? select.value : 'zone', 'district', layer && layer.checked ? marks : null);
        if (select) legendFor(select.value);
      }
      if (select) select.addEventListener('change', redraw);
      if (layer) layer.addEventListener('change', function () {
        if (!layer.checked || marks) { redraw(); return; }
        api('GET', '/api/v1/elements?open=true').then(function (d) {
          marks = {};
          d.items.forEach(function (e) {
            marks[e.village_code] = (marks[e.village_code] ? marks[e.village_code] + '、' : '') + e.name;
          });
          el.dataset.elements = String(d.total);
          redraw();
        }).catch(function (e) { layer.checked = false; window.alert('共富元素加载失败：' + e.message); });
      });
    }).catch(function (e) {
      el.innerHTML = '<p class="errors">地图数据加载失败：' + esc(e.message) + '</p>';
    });
  }

  function zoneMap() {
    var el = document.getElementById('zone-map');
    if (!el || !charts()) return;
    fetch(el.dataset.src).then(function (r) { return r.json(); }).then(function (geo) {
      if (!geo.features.length) { el.style.display = 'none'; return; }
      var name = 'zone-' + el.dataset.src;
      charts().registerMap(name, geo);
      var chart = drawMap(el, geo, 'zone', name);
      chart.setOption({ series: [{ label: { show: true, formatter: function (x) { return x.data && x.data.props ? x.data.props.name : ''; },
        fontSize: 12, color: '#fff', textBorderColor: '#3b0764', textBorderWidth: 2 } }] });
      chart.on('click', function (x) { if (x.name) window.location.href = '/villages/' + x.name; });
    });
  }

  function zoneForm() {
    var town = document.getElementById('pick-town');
    var picker = document.getElementById('picker');
    var key = document.getElementById('key-village');
    if (!picker) return;
    if (town) town.addEventListener('change', function () {
      picker.querySelectorAll('.pick').forEach(function (p) {
        var box = p.querySelector('input');
        p.classList.toggle('hidden', !!town.value && p.dataset.town !== town.value && !box.checked);
      });
    });
    if (key) key.addEventListener('change', function () {
      var box = picker.querySelector('input[value="' + key.value + '"]');
      if (box && !box.disabled) box.checked = true;
    });
  }

  function confirms() {
    document.querySelectorAll('form[data-confirm]').forEach(function (f) {
      f.addEventListener('submit', function (e) {
        if (!window.confirm(f.dataset.confirm)) e.preventDefault();
      });
    });
  }

  // 片区规划 ---------------------------------------------------------------------------
  var districtGeo = null;
  function loadDistrictGeo() {
    if (districtGeo) return Promise.resolve(districtGeo);
    return fetch('/api/v1/map/villages.geojson').then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (g) { districtGeo = g; return g; });
  }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : '';
  }
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        if (!r.ok) {
          var err = d.error || {};
          var e = new Error(err.message || ('HTTP ' + r.status));
          e.details = err.details || [];
          throw e;
        }
        return d;
      });
    });
  }
  function num(v, digits) {
    return v == null ? '—' : Number(v).toLocaleString('zh-CN', { maximumFractionDigits: digits || 0 });
  }

  var OVERALL_ROWS = [
    ['zones', '片区数', 0],
    ['villages', '纳入片区的行政村', 0],
    ['zones_with_strong', '有强村带动的片区', 0],
    ['zones_all_weak', '全为薄弱村的片区（越少越好）', 0],
    ['mean_income_cv', '片区平均收入离散系数（越小越均衡）', 3],
    ['mean_diversity', '片区平均产业种类（越多越互补）', 1],
    ['mean_distance_km', '成员村到重点村平均距离（公里）', 1]
  ];
  function overallTable(el, columns) {
    el.innerHTML = '<thead><tr><th>指标</th>' + columns.map(function (c) { return '<th class="num">' + esc(c[0]) + '</th>'; }).join('') + '</tr></thead><tbody>' +
      OVERALL_ROWS.map(function (r) {
        return '<tr><td>' + r[1] + '</td>' + columns.map(function (c) { return '<td class="num">' + num(c[1][r[0]], r[2]) + '</td>'; }).join('') + '</tr>';
      }).join('') + '</tbody>';
  }
  function zonesTable(el, zones) {
    el.innerHTML = '<thead><tr><th>片区</th><th>重点村</th><th class="num">村数</th><th class="num">人口</th><th class="num">平均经营性收入（万元）</th><th class="num">最低（万元）</th><th class="num">强村</th><th class="num">薄弱村</th><th class="num">产业种类</th><th class="num">到重点村平均距离（公里）</th><th>来源</th></tr></thead><tbody>' +
      zones.map(function (z, i) {
        return '<tr><td><span class="swatch" style="background:' + PALETTE[(i * 7 + 3) % PALETTE.length] + '"></span>' + esc(z.name) + '</td><td>' + esc(z.key_name || '—') + '</td>' +
          '<td class="num">' + num(z.villages) + '</td><td class="num">' + num(z.population) + '</td><td class="num">' + num(z.mean_income_wan, 1) + '</td><td class="num">' + num(z.min_income_wan, 1) + '</td>' +
          '<td class="num">' + num(z.strong) + '</td><td class="num">' + num(z.weak) + '</td><td class="num">' + num(z.diversity) + '</td><td class="num">' + num(z.mean_distance_km, 1) + '</td>' +
          '<td>' + (z.existing_zone_id ? '扩展已有片区' : '新建') + '</td></tr>';
      }).join('') + '</tbody>';
  }
  function planMaps(result, todayEl, proposalEl) {
    return loadDistrictGeo().then(function (geo) {
      var assign = result.assignment || {};
      var keys = {};
      (result.keys || []).forEach(function (k) { keys[k] = true; });
      var features = geo.features.filter(function (f) { return assign[f.properties.code] != null; }).map(function (f) {
        var p = Object.assign({}, f.properties, { plan_zone: assign[f.properties.code], plan_key: !!keys[f.properties.code] });
        return { type: 'Feature', id: f.id, geometry: f.geometry, properties: p };
      });
      var sub = { type: 'FeatureCollection', features: features };
      var name = 'plan-' + features.length + '-' + (result.units || 0);
      charts().registerMap(name, sub);
      if (todayEl) { drawMap(todayEl, sub, 'zone', name); todayEl.dataset.drawn = String(features.length); }
      if (proposalEl) { drawMap(proposalEl, sub, 'plan', name); proposalEl.dataset.drawn = String(features.length); }
    });
  }
  function planNotes(result) {
    var notes = [];
    if (result.data_year) notes.push('收入、人口取 ' + result.data_year + ' 年数据。');
    if (result.attachments && result.attachments.length) {
      notes.push('以下村与其他村边界不相邻，已就近并入：' + result.attachments.map(function (a) {
        return a.village + ' → ' + a.to + '（' + a.distance_km + ' 公里）';
      }).join('；') + '。');
    }
    return notes.join(' ');
  }
  function showResult(result) {
    var section = document.getElementById('plan-result');
    if (!section) return;
    section.hidden = false;
    overallTable(document.getElementById('plan-overall'), [['现有片区', result.today.overall], ['规划方案', result.overall]]);
    zonesTable(document.getElementById('plan-zones'), result.zones);
    document.getElementById('plan-notes').textContent = planNotes(result);
    if (charts()) planMaps(result, document.getElementById('plan-map-today'), document.getElementById('plan-map-proposal'));
  }

  function planForm() {
    var form = document.getElementById('plan-form');
    if (!form) return;
    var status = document.getElementById('plan-status');
    var bar = document.getElementById('plan-bar');
    var text = document.getElementById('plan-status-text');
    var errors = document.getElementById('plan-errors');
    var run = document.getElementById('plan-run');
    var cancel = document.getElementById('plan-cancel');
    var strong = document.getElementById('strong-count');
    var runId = null;
    function modeChanged() {
      var mode = form.querySelector('input[name="mode"]:checked').value;
      form.querySelectorAll('[data-mode]').forEach(function (el) { el.hidden = el.dataset.mode !== mode; });
    }
    form.querySelectorAll('input[name="mode"]').forEach(function (r) { r.addEventListener('change', modeChanged); });
    function strongCount() {
      if (!strong) return;
      var incomes = JSON.parse(strong.dataset.incomes || '[]');
      var towns = Array.prototype.map.call(form.querySelectorAll('input[name="towns"]:checked'), function (b) { return b.value; });
      var t = parseFloat(form.elements.strong_income_wan.value);
      var n = incomes.filter(function (x) { return (!towns.length || towns.indexOf(x[0]) >= 0) && x[1] >= t; }).length;
      strong.textContent = isNaN(t) ? '' : '所选范围内有 ' + n + ' 个村达到此标准，可作为重点村。';
    }
    form.elements.strong_income_wan.addEventListener('input', strongCount);
    form.querySelectorAll('input[name="towns"]').forEach(function (b) { b.addEventListener('change', strongCount); });
    strongCount();
    function optNum(name) {
      var v = form.elements[name].value.trim();
      return v === '' ? null : Number(v);
    }
    function request() {
      var mode = form.querySelector('input[name="mode"]:checked').value;
      return {
        towns: Array.prototype.map.call(form.querySelectorAll('input[name="towns"]:checked'), function (b) { return b.value; }),
        mode: mode,
        k: mode === 'k' ? optNum('k') : null,
        floor: mode === 'maxp' ? optNum('floor') : null,
        size: form.elements.size.value,
        min_size: optNum('min_size'),
        max_size: optNum('max_size'),
        strong_income_wan: optNum('strong_income_wan') == null ? 300 : optNum('strong_income_wan'),
        require_key: form.elements.require_key.checked,
        lock_existing: form.elements.lock_existing.checked,
        stay_in_town: form.elements.stay_in_town.checked,
        attach_islands: form.elements.attach_islands.checked,
        key_villages: form.elements.key_villages.value.split(/[\s,，、]+/).filter(function (c) { return c; }),
        weights: { homogeneity: optNum('w_homogeneity') || 0, balance: optNum('w_balance') || 0, diversity: optNum('w_diversity') || 0, compactness: optNum('w_compactness') || 0 },
        seed: optNum('seed') || 0
      };
    }
    function showErrors(e) {
      errors.hidden = false;
      var items = (e.details && e.details.length) ? e.details.map(function (d) { return d.message; }) : [e.message];
      errors.innerHTML = '<strong>未能运行：</strong><ul>' + items.map(function (m) { return '<li>' + esc(m) + '</li>'; }).join('') + '</ul>';
    }
    function done() { run.disabled = false; cancel.hidden = true; }
    function poll() {
      api('GET', '/api/v1/plan/runs/' + runId).then(function (d) {
        var pct = d.total ? Math.round(100 * d.done / d.total) : 0;
        bar.style.width = pct + '%';
        if (d.status === 'running' || d.status === 'cancelling') {
          text.textContent = (d.status === 'cancelling' ? '正在取消…' : '正在规划：已完成 ' + d.done + ' / ' + d.total + ' 轮搜索');
          setTimeout(poll, 400);
          return;
        }
        done();
        if (d.status === 'done') {
          bar.style.width = '100%';
          text.textContent = '规划完成：' + d.result.zones.length + ' 个片区。';
          showResult(d.result);
          document.getElementById('plan-result').scrollIntoView({ behavior: 'smooth', block: 'start' });
        } else if (d.status === 'cancelled') {
          text.textContent = '已取消。';
        } else {
          text.textContent = '';
          showErrors(new Error(d.error || '规划失败'));
        }
      }).catch(function (e) { done(); showErrors(e); });
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      errors.hidden = true;
      run.disabled = true;
      status.hidden = false;
      bar.style.width = '0';
      text.textContent = '正在准备数据…';
      api('POST', '/api/v1/plan/runs', request()).then(function (d) {
        runId = d.id;
        form.dataset.runId = String(d.id);
        cancel.hidden = false;
        poll();
      }).catch(function (e) { done(); status.hidden = true; showErrors(e); });
    });
    cancel.addEventListener('click', function () {
      if (runId != null) api('POST', '/api/v1/plan/runs/' + runId + '/cancel').catch(showErrors);
    });
    var save = document.getElementById('plan-save');
    if (save) save.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var msg = document.getElementById('plan-save-msg');
      msg.textContent = '保存中…';
      api('POST', '/api/v1/plan/scenarios', { name: save.elements.name.value, run_id: runId }).then(function (d) {
        window.location.href = '/planning/scenarios/' + d.id;
      }).catch(function (e) { msg.textContent = '未保存：' + e.message; });
    });
  }

  function scenarioView() {
    var data = island('scenario-data');
    if (!data) return;
    overallTable(document.getElementById('plan-overall'), [['现有片区', data.today.overall], ['本方案', data.overall]]);
    zonesTable(document.getElementById('plan-zones'), data.zones);
    document.getElementById('plan-notes').textContent = planNotes(data);
    if (charts()) planMaps(data, document.getElementById('plan-map-today'), document.getElementById('plan-map-proposal'));
  }

  function compareView() {
    var a = island('compare-a'), b = island('compare-b');
    if (!a || !b) return;
    overallTable(document.getElementById('compare-overall'), [['现有片区', a.today.overall], [document.getElementById('compare-a').dataset.name, a.overall], [document.getElementById('compare-b').dataset.name, b.overall]]);
    if (charts()) {
      planMaps(a, null, document.getElementById('compare-map-a'));
      planMaps(b, null, document.getElementById('compare-map-b'));
    }
  }

  // 服务覆盖与设施选址 ---------------------------------------------------------------
  function servicePage() {
    var form = document.getElementById('svc-form');
    if (!form) return;
    var errors = document.getElementById('svc-errors');
    function reachMode() {
      var m = form.querySelector('input[name="reach"]:checked').value;
      form.querySelectorAll('[data-reach]').forEach(function (el) { el.hidden = el.dataset.reach !== m; });
      return m;
    }
    form.querySelectorAll('input[name="reach"]').forEach(function (r) { r.addEventListener('change', reachMode); });
    function body() {
      var b = { type: form.elements.type.value, p: Number(form.elements.p.value) || 1, model: form.elements.model.value,
        include_planned: form.elements.include_planned.checked };
      if (form.elements.zone.value) b.zone = Number(form.elements.zone.value);
      b.candidates = form.elements.candidates.value.split(/[\s,，、]+/).filter(function (c) { return c; });
      if (form.elements.capacity_people && form.elements.capacity_people.value) {
        b.capacity_people = Number(form.elements.capacity_people.value);
        b.people_per_unit = Number(form.elements.people_per_unit.value) || 1;
      }
      if (reachMode() === 'radius') {
        b.radius_m = Number(form.elements.radius_m.value);
      } else {
        b.minutes = Number(form.elements.minutes.value);
        b.speed_kmh = Number(form.elements.speed_kmh.value);
        b.detour = Number(form.elements.detour.value);
      }
      return b;
    }
    function pct(bp) { return (bp / 100).toFixed(1) + '%'; }
    function showErrors(e) {
      errors.hidden = false;
      var items = (e.details && e.details.length) ? e.details.map(function (d) { return d.message; }) : [e.message];
      errors.innerHTML = '<strong>未能计算：</strong><ul>' + items.map(function (m) { return '<li>' + esc(m) + '</li>'; }).join('') + '</ul>';
    }
    function draw(status, sites) {
      var el = document.getElementById('svc-map');
      if (!charts()) return;
      loadDistrictGeo().then(function (geo) {
        var features = geo.features.filter(function (f) { return status[f.properties.code] != null; }).map(function (f) {
          var p = Object.assign({}, f.properties, { svc: status[f.properties.code], svc_site: sites[f.properties.code] || null });
          return { type: 'Feature', id: f.id, geometry: f.geometry, properties: p };
        });
        var name = 'svc-' + features.length + '-' + Object.keys(status).join('').length;
        charts().registerMap(name, { type: 'FeatureCollection', features: features });
        drawMap(el, { type: 'FeatureCollection', features: features }, 'service', name);
        el.dataset.drawn = String(features.length);
      });
    }
    function today() {
      errors.hidden = true;
      var b = body();
      var q = '?type=' + encodeURIComponent(b.type) + (b.zone ? '&zone=' + b.zone : '') + (b.include_planned ? '&include_planned=1' : '') +
        (b.radius_m != null ? '&radius_m=' + b.radius_m : '&minutes=' + b.minutes + '&speed_kmh=' + b.speed_kmh + '&detour=' + b.detour);
      return api('GET', '/api/v1/coverage/services' + q).then(function (d) {
        document.getElementById('svc-result').hidden = false;
        var scope = d.zone ? d.zones[0] : d.district;
        document.getElementById('svc-before').textContent = pct(scope.share_bp);
        document.getElementById('svc-before-note').textContent = num(scope.covered) + ' / ' + num(scope.total) + ' 人（' + d.demand_label + '）';
        document.getElementById('svc-after').textContent = '—';
        document.getElementById('svc-after-note').textContent = '点“提出选址方案”计算';
        document.getElementById('svc-gain').textContent = '—';
        document.getElementById('svc-gap').textContent = '';
        document.getElementById('svc-method').textContent = d.method;
        document.getElementById('svc-sites').innerHTML = '';
        var out = {};
        d.uncovered.forEach(function (u) { out[u.code] = true; });
        var status = {};
        // Villages in scope: every uncovered one, and the covered ones of the scope.
        loadDistrictGeo().then(function (geo) {
          geo.features.forEach(function (f) {
            var p = f.properties;
            if (p.kind !== 'village' || p.status !== 'active') return;
            if (d.zone && p.zone_id !== d.zone) return;
            status[p.code] = out[p.code] ? 'out' : 'covered';
          });
          draw(status, {});
        });
        document.getElementById('svc-uncovered').innerHTML = '<thead><tr><th>村</th><th>镇街</th><th class="num">距最近设施（公里）</th></tr></thead><tbody>' +
          d.uncovered.map(function (u) { return '<tr><td>' + esc(u.name) + '</td><td>' + esc(u.town) + '</td><td class="num">' + (u.nearest_m == null ? '无' : (u.nearest_m / 1000).toFixed(1)) + '</td></tr>'; }).join('') + '</tbody>';
        return d;
      }).catch(showErrors);
    }
    document.getElementById('svc-today').addEventListener('click', today);
    var saveButton = document.getElementById('svc-save-button');
    if (saveButton) {
      saveButton.addEventListener('click', function () {
        var b = body();
        if (!b.zone) return;
        saveButton.disabled = true;
        api('POST', '/api/v1/zones/' + b.zone + '/plan/service-layout', b).then(function (r) {
          var note = document.getElementById('svc-save-note');
          note.innerHTML = '已保存到第 ' + r.plan.version_no + ' 版片区规划（' + esc(r.plan.status_label) + '）。<a href="' + esc(r.plan.url) + '" id="svc-saved-link">查看规划 ›</a>';
        }).catch(function (e) { saveButton.disabled = false; showErrors(e); });
      });
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      errors.hidden = true;
      var btn = document.getElementById('svc-plan');
      btn.disabled = true;
      var save = document.getElementById('svc-save');
      if (save) save.hidden = true;
      api('POST', '/api/v1/plan/sites', body()).then(function (r) {
        btn.disabled = false;
        // A zone's proposal can go into the zone's draft plan.
        if (save && r.zone && r.sites.length) {
          save.hidden = false;
          document.getElementById('svc-save-button').disabled = false;
          document.getElementById('svc-save-note').textContent = '把本方案（中心服务区 + 功能服务点及覆盖、差距）写入该片区规划的「公共服务布局」；无草案时自动起草新版本。';
        }
        document.getElementById('svc-result').hidden = false;
        document.getElementById('svc-before').textContent = pct(r.before.share_bp);
        document.getElementById('svc-before-note').textContent = num(r.before.covered) + ' / ' + num(r.before.total) + ' 人（' + r.demand_label + '）';
        document.getElementById('svc-after').textContent = pct(r.after.share_bp);
        document.getElementById('svc-after-note').textContent = '新增 ' + r.sites.length + ' 处后，' + r.after.villages_uncovered + ' 个村仍在范围外';
        document.getElementById('svc-gain').textContent = '+' + num(r.gain) + ' 人';
        document.getElementById('svc-gap').textContent = r.gap_text;
        document.getElementById('svc-method').textContent = r.method;
        document.getElementById('svc-sites').innerHTML = '<thead><tr><th>角色</th><th>村</th><th>镇街</th><th class="num">新增覆盖人口</th></tr></thead><tbody>' +
          r.sites.map(function (s) { return '<tr><td><span class="tag ' + (s.role === 'hub' ? 'key' : 'ok') + '">' + esc(s.role_label) + '</span></td><td>' + esc(s.name) + '</td><td>' + esc(s.town) + '</td><td class="num">' + num(s.added) + '</td></tr>'; }).join('') + '</tbody>';
        document.getElementById('svc-uncovered').innerHTML = '<thead><tr><th>村</th><th class="num">距最近设施（公里）</th></tr></thead><tbody>' +
          r.uncovered_after.map(function (u) { return '<tr><td>' + esc(u.name) + '</td><td class="num">' + (u.nearest_m == null ? '无' : (u.nearest_m / 1000).toFixed(1)) + '</td></tr>'; }).join('') + '</tbody>';
        // Colour: covered today, newly covered, still out.
        return api('GET', '/api/v1/coverage/services?type=' + encodeURIComponent(r.type) + '&radius_m=' + r.radius_m + (r.zone ? '&zone=' + r.zone : '') + (body().include_planned ? '&include_planned=1' : '')).then(function (d) {
          var outToday = {}, outAfter = {}, sites = {};
          d.uncovered.forEach(function (u) { outToday[u.code] = true; });
          r.uncovered_after.forEach(function (u) { outAfter[u.code] = true; });
          r.sites.forEach(function (s) { sites[s.village_code] = s.role === 'hub' ? '中心' : '服务点'; });
          return loadDistrictGeo().then(function (geo) {
            var status = {};
            geo.features.forEach(function (f) {
              var p = f.properties;
              if (p.kind !== 'village' || p.status !== 'active') return;
              if (r.zone && p.zone_id !== r.zone) return;
              status[p.code] = outAfter[p.code] ? 'out' : (outToday[p.code] ? 'gained' : 'covered');
            });
            draw(status, sites);
          });
        });
      }).catch(function (e) { btn.disabled = false; showErrors(e); });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    servicePage();
    planForm();
    scenarioView();
    compareView();
    dashboard();
    villageYears();
    mainMap();
    zoneMap();
    zoneForm();
    confirms();
  });
})();

// 打印按钮 (the printable progress report): the browser's own print dialog, which can also
// save as PDF. No inline handlers: the CSP forbids them.
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));
});

// Form fields that apply only to some choices (利益共享: a change kind's amount, a 保底 mode's
// rate): `data-when="name=a|b"` shows the element while the form's control `name` holds a or
// b, `name=*` while it is set (a checkbox: ticked). Without JS every field shows and the
// server ignores those that do not apply.
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('form [data-when]').forEach((el) => {
    const spec = el.getAttribute('data-when');
    const at = spec.indexOf('=');
    const ctl = el.closest('form').elements[spec.slice(0, at)];
    if (!ctl || at < 0) return;
    const values = spec.slice(at + 1).split('|');
    const update = () => {
      const v = ctl.type === 'checkbox' ? (ctl.checked ? ctl.value : '') : ctl.value;
      el.hidden = values.includes('*') ? v === '' : !values.includes(v);
    };
    ctl.addEventListener('change', update);
    update();
  });
  // `data-sum-of="selector"`: the running total of the percentages typed in those inputs,
  // which must come to 100 %. A reading aid only: the server checks the sum exactly.
  document.querySelectorAll('[data-sum-of]').forEach((out) => {
    const form = out.closest('form');
    const inputs = form.querySelectorAll(out.getAttribute('data-sum-of'));
    const update = () => {
      let hundredths = 0;
      if ([...inputs].every((i) => i.value.trim() === '')) {
        out.textContent = '';
        return;
      }
      inputs.forEach((i) => {
        const v = parseFloat(i.value.replace(/[%％\s]/g, ''));
        if (!Number.isNaN(v)) hundredths += Math.round(v * 100);
      });
      out.textContent = `比例合计 ${(hundredths / 100).toFixed(2).replace(/\.00$/, '')}%` + (hundredths === 10000 ? '' : '（须为 100%）');
      out.classList.toggle('bad', hundredths !== 10000);
    };
    inputs.forEach((i) => i.addEventListener('input', update));
    update();
  });
});
