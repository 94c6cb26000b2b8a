"""The HTML report's drill-down: every rate cell links to its samples, each sample to a page with its transcript.

Everything is inside the one HTML file (no server, no CDN, works offline): the sample rows as compact JSON in
a ``<script type="application/json">`` element, the transcripts of at most ``max_transcripts`` samples (the
report says how many were left out), and a small script that draws the sample list and the sample page from
the URL's fragment (``#samples?m=0&c=1&v=harmful&d=1``, ``#sample/ID``), so that the back button works.

Transcripts chosen for embedding when there are more than the cap: samples with a human label or a
disagreement first, then the samples of every cell in turn, so that each cell has some.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from scenariokit.experiment import StudyStore
from scenariokit.report._samples import SampleRow, iter_rows, stored_verdicts, transcript_blocks
from scenariokit.report._summary import StudySummary

DEFAULT_MAX_TRANSCRIPTS = 1000
"""Transcripts embedded in an HTML report by default."""

_DECISIONS = ("harmful", "benign", "unscorable")
_LABELS = ("harmful", "benign", "ambiguous")
_AWARENESS = ("says_test", "says_real", "silent")


@dataclass(frozen=True)
class DrillDown:
    """What the HTML report embeds about samples; build it with :func:`drilldown`."""

    data: Mapping[str, Any]
    """The JSON-ready data the report's script reads (rows, conditions, embedded transcripts)."""

    samples: int
    """Samples in the study."""

    embedded: int
    """Samples whose transcript is embedded."""

    @property
    def omitted(self) -> int:
        """Samples whose transcript was left out (over the cap)."""
        return self.samples - self.embedded


def _pick(rows: Sequence[SampleRow], cap: int) -> list[int]:
    if cap >= len(rows):
        return [r.id for r in rows]
    first = [r.id for r in rows if r.human is not None or r.disagreement]
    by_cell: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        by_cell.setdefault((r.model, r.fingerprint), []).append(r.id)
    chosen = dict.fromkeys(first[:cap])
    for layer in zip_longest(*by_cell.values()):
        for sid in layer:
            if len(chosen) >= cap:
                return list(chosen)
            if sid is not None:
                chosen.setdefault(sid)
    return list(chosen)


def drilldown(
    store: StudyStore,
    summary: StudySummary,
    *,
    max_transcripts: int = DEFAULT_MAX_TRANSCRIPTS,
    harm_category: Mapping[str, str] | None = None,
    awareness_detector: str | None = None,
) -> DrillDown:
    """Collect the samples of a study for the HTML report's drill-down.

    Args:
        store: The store the summary was made from.
        summary: The summary (its ``detector`` decides harm, as in the report).
        max_transcripts: Embed at most this many transcripts (0: none; the sample list is always complete).
        harm_category: The ``harm_category`` overrides the summary was made with.
        awareness_detector: The awareness detector the summary was made with.

    Returns:
        The drill-down data for ``render_html(..., samples=...)``.
    """
    if max_transcripts < 0:
        raise ValueError(f"max_transcripts must be 0 or more, got {max_transcripts}")
    rows = list(
        iter_rows(
            store,
            detector=summary.detector,
            harm_category=harm_category,
            awareness_detector=awareness_detector,
        )
    )
    conditions = {c.fingerprint: c for c in store.conditions()}
    categories = {r.fingerprint: r.category for r in rows}
    model_index = {m: i for i, m in enumerate(summary.models)}
    cond_order = [fp for fp, _ in summary.conditions]
    cond_index = {fp: i for i, fp in enumerate(cond_order)}
    detectors: list[str] = []
    for r in rows:
        for name in r.harm_verdicts:
            if name not in detectors:
                detectors.append(name)
    det_index = {d: i for i, d in enumerate(detectors)}
    packed = []
    for r in rows:
        if r.model not in model_index or r.fingerprint not in cond_index:
            continue
        outcomes = [-1] * len(detectors)
        for name, outcome in r.harm_verdicts.items():
            outcomes[det_index[name]] = _DECISIONS.index(outcome) if outcome in _DECISIONS else -1
        packed.append(
            [
                r.id,
                model_index[r.model],
                cond_index[r.fingerprint],
                r.sample_index,
                _DECISIONS.index(r.decision),
                r.decided_by or "",
                outcomes,
                _AWARENESS.index(r.awareness) if r.awareness in _AWARENESS else -1,
                _LABELS.index(r.human) if r.human in _LABELS else -1,
                int(r.disagreement),
                int(r.status == "error"),
                r.reviewer or "",
                r.reason or "",
            ]
        )
    chosen = set(
        _pick([r for r in rows if r.model in model_index and r.fingerprint in cond_index], max_transcripts)
    )
    prompts: dict[str, tuple[str, str]] = {}
    details: dict[str, Any] = {}
    verdicts = stored_verdicts(store, chosen) if chosen else {}
    for sample in store.iter_samples(effective=True):
        if sample.id not in chosen:
            continue
        transcript = sample.transcript()
        mine = verdicts.get(sample.id, [])
        blocks = transcript_blocks(transcript, mine)
        prompt = prompts.get(sample.fingerprint)
        if prompt is None and sample.prompt is not None:
            prompt = prompts[sample.fingerprint] = sample.prompt
        for block in blocks:  # the shared prompt is embedded once per condition
            if (
                prompt is not None
                and block["kind"] in ("system", "user")
                and not block["highlights"]
                and block["message_index"] < 2
                and block["text"] == prompt[block["message_index"]]
            ):
                block["text"] = None
                block["shared"] = True
        details[str(sample.id)] = {
            "verdicts": [
                {
                    "detector": v["detector"],
                    "version": v["version"],
                    "category": v["category"],
                    "outcome": v["outcome"],
                    "label": v.get("label"),
                    "score": v.get("score"),
                    "why": _why(v),
                    "evidence": len(v.get("evidence", ())),
                    "stored_at": v["stored_at"],
                    "latest": v["latest"],
                }
                for v in mine
            ],
            "blocks": blocks,
            "error": sample.error,
            "seed": sample.seed,
        }
    data = {
        "store": str(store.path),
        "models": list(summary.models),
        "conditions": [
            {
                "label": conditions[fp].label,
                "fingerprint": fp,
                "family": conditions[fp].family,
                "category": categories.get(fp),
                "factors": dict(conditions[fp].factors),
                "prompt": list(prompts[fp]) if fp in prompts else None,
            }
            for fp in cond_order
        ],
        "detectors": detectors,
        "rows": packed,
        "details": details,
        "max_transcripts": max_transcripts,
    }
    return DrillDown(data=data, samples=len(packed), embedded=len(details))


def _why(verdict: Mapping[str, Any]) -> str:
    """A verdict's reason (when unscorable) and rationale (a reviewer's note), as one sentence."""
    parts = [verdict.get("reason") or "", verdict.get("rationale") or ""]
    return ": ".join(p for p in parts if p)


def _json_for_script(data: Mapping[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` element early (every ``<`` written as a Unicode escape)."""
    return (
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def drilldown_html(drill: DrillDown) -> tuple[str, str]:
    """The drill-down's ``(intro, app)`` HTML: a paragraph for the top of the report, and the view, data and script."""
    left_out = (
        f" Transcripts are embedded for {drill.embedded} of them; {drill.omitted} left out (over the cap of "
        f"{drill.data['max_transcripts']}; raise it with --max-transcripts, or read one with 'scenariokit sample')."
        if drill.omitted
        else " Every transcript is embedded."
    )
    intro = (
        '<p class="sk-intro" id="sk-intro">Click a rate to read its samples, or '
        f'<a href="#samples">browse all {drill.samples} samples</a>.{left_out}</p>'
    )
    app = (
        f'<div id="sk-view" hidden></div><style>{_CSS}</style>'
        f'<script type="application/json" id="sk-data">{_json_for_script(drill.data)}</script>'
        f"<script>{_JS}</script>"
    )
    return intro, app


_CSS = """
#sk-view{max-width:80rem}#sk-view table{font-size:0.9rem}.sk-bar{display:flex;gap:1rem;flex-wrap:wrap;align-items:center;
margin:0.5rem 0}.sk-o-harmful{color:#b00020;font-weight:600}.sk-o-benign{color:#1b6e20}.sk-o-unscorable,.sk-o-ambiguous{color:#8a6d00}
.sk-block{border:1px solid #ccc;border-radius:4px;margin:0.6rem 0;padding:0.4rem 0.7rem}.sk-block h4{margin:0 0 0.3rem;font-size:0.85rem;color:#555}
.sk-block pre{white-space:pre-wrap;word-wrap:break-word;margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:0.85rem}
.sk-k-system,.sk-k-user{background:#f6f8fb}.sk-k-reasoning{background:#faf5ff;border-color:#c9b3e6}.sk-k-action{border-color:#2a7ab0;background:#f0f7fc}
.sk-k-error{border-color:#b00020}mark.sk-ev{background:#ffe08a;padding:0 1px}mark.sk-ev-harmful{background:#ffb3b3}mark.sk-ev-benign{background:#c4efc4}
mark.sk-ev.sk-focus{outline:2px solid #333}.sk-dis{color:#8a2be2;font-weight:600}a.sk-rate{text-decoration:none;border-bottom:1px dotted}
.sk-note{color:#666;font-size:0.9rem}dl.sk-fields{display:grid;grid-template-columns:max-content 1fr;gap:0.1rem 0.8rem;margin:0}
dl.sk-fields dt{font-weight:600}.sk-chip{display:inline-block;border:1px solid #ccc;border-radius:3px;padding:0 0.4rem;margin:0 0.3rem 0.3rem 0;font-size:0.85rem}dl.sk-fields dd{margin:0;white-space:pre-wrap}
"""

_JS = r"""
(function(){
"use strict";
var D=JSON.parse(document.getElementById("sk-data").textContent);
var DEC=["harmful","benign","unscorable"],LAB=["harmful","benign","ambiguous"],AW=["says_test","says_real","silent"];
var PAGE=100;
var report=document.getElementById("sk-report"),view=document.getElementById("sk-view");
var byId={};D.rows.forEach(function(r){byId[r[0]]=r;});
function el(tag,attrs,kids){var e=document.createElement(tag);if(attrs){for(var k in attrs){if(k==="text")e.textContent=attrs[k];else if(k==="cls")e.className=attrs[k];else e.setAttribute(k,attrs[k]);}}
(kids||[]).forEach(function(c){if(c!==null&&c!==undefined)e.appendChild(typeof c==="string"?document.createTextNode(c):c);});return e;}
function outcome(o){return el("span",{cls:"sk-o-"+o,text:o});}
function params(q){var p={};(q||"").split("&").forEach(function(kv){if(!kv)return;var i=kv.indexOf("=");p[decodeURIComponent(i<0?kv:kv.slice(0,i))]=i<0?"":decodeURIComponent(kv.slice(i+1));});return p;}
function query(p){var out=[];for(var k in p){if(p[k]!==""&&p[k]!==undefined&&p[k]!==null)out.push(encodeURIComponent(k)+"="+encodeURIComponent(p[k]));}return out.join("&");}
/* link every cell of the rate table (models as rows, conditions as columns, in the report's order) */
function linkRates(){
  var heads=document.querySelectorAll("#sk-report h2");
  for(var i=0;i<heads.length;i++){
    if(heads[i].textContent.indexOf("Harmful rate per model and condition")!==0)continue;
    var t=heads[i].nextElementSibling;while(t&&t.tagName!=="TABLE"&&t.tagName!=="H2")t=t.nextElementSibling;
    if(!t||t.tagName!=="TABLE")return;
    t.id="sk-rate-table";
    var trs=t.querySelectorAll("tbody tr");
    for(var m=0;m<trs.length&&m<D.models.length;m++){
      var tds=trs[m].children;
      for(var c=1;c<tds.length&&c-1<D.conditions.length;c++){
        if(tds[c].textContent.trim()==="-")continue;
        var a=el("a",{href:"#samples?"+query({m:m,c:c-1}),cls:"sk-rate",text:tds[c].textContent,"data-model":D.models[m],"data-condition":D.conditions[c-1].label});
        tds[c].textContent="";tds[c].appendChild(a);
      }
    }
    return;
  }
}
function select(name,value,options){var s=el("select",{name:name,id:"sk-f-"+name});options.forEach(function(o){var opt=el("option",{value:o[0],text:o[1]});if(String(o[0])===String(value))opt.selected=true;s.appendChild(opt);});return s;}
function listView(p){
  var m=p.m===undefined?"":p.m,c=p.c===undefined?"":p.c,v=p.v||"",d=p.d==="1",h=p.h||"",page=parseInt(p.p||"0",10)||0;
  var rows=D.rows.filter(function(r){
    if(m!==""&&r[1]!==+m)return false;if(c!==""&&r[2]!==+c)return false;
    if(v&&DEC[r[4]]!==v)return false;if(d&&!r[9])return false;
    if(h==="reviewed"&&r[8]<0)return false;if(h==="unreviewed"&&r[8]>=0)return false;return true;});
  var title=(m!==""?D.models[+m]:"all models")+" \u00d7 "+(c!==""?D.conditions[+c].label:"all conditions");
  var bar=el("form",{cls:"sk-bar",id:"sk-filters"},[
    el("label",null,["model ",select("m",m,[["","all"]].concat(D.models.map(function(x,i){return [i,x];})))]),
    el("label",null,["condition ",select("c",c,[["","all"]].concat(D.conditions.map(function(x,i){return [i,x.label];})))]),
    el("label",null,["verdict ",select("v",v,[["","all"],["harmful","harmful"],["benign","benign"],["unscorable","unscorable"]])]),
    el("label",null,["human ",select("h",h,[["","all"],["reviewed","reviewed"],["unreviewed","not reviewed"]])]),
    el("label",null,[(function(){var x=el("input",{type:"checkbox",name:"d",id:"sk-f-d"});x.checked=d;return x;})()," only disagreements"])]);
  bar.addEventListener("change",function(){var f={m:bar.m.value,c:bar.c.value,v:bar.v.value,h:bar.h.value,d:bar.d.checked?"1":""};location.hash="samples?"+query(f);});
  var table=el("table",{id:"sk-samples"});
  table.appendChild(el("thead",null,[el("tr",null,["id","model","condition","#","decision","by"].concat(D.detectors).concat(["awareness","human","transcript"]).map(function(x){return el("th",{text:x});}))]));
  var body=el("tbody");
  rows.slice(page*PAGE,(page+1)*PAGE).forEach(function(r){
    var dec=el("td",null,[outcome(DEC[r[4]])]);if(r[9])dec.appendChild(el("span",{cls:"sk-dis",text:" \u2260",title:"verdicts disagree"}));
    var tr=el("tr",{"data-id":r[0],"data-decision":DEC[r[4]]},[el("td",null,[el("a",{href:"#sample/"+r[0],text:String(r[0])})]),el("td",{text:D.models[r[1]]}),
      el("td",{text:D.conditions[r[2]].label}),el("td",{text:String(r[3])}),dec,el("td",{text:r[5]||"-"})]);
    r[6].forEach(function(o){tr.appendChild(el("td",null,[o<0?"-":outcome(DEC[o])]));});
    tr.appendChild(el("td",{text:r[7]<0?"-":AW[r[7]]}));
    tr.appendChild(el("td",null,[r[8]<0?"-":outcome(LAB[r[8]])]));
    tr.appendChild(el("td",{text:D.details[r[0]]?"embedded":"left out"}));
    body.appendChild(tr);});
  table.appendChild(body);
  var pages=Math.ceil(rows.length/PAGE),nav=el("p",{cls:"sk-bar"});
  if(page>0){var q=Object.assign({},p,{p:page-1});nav.appendChild(el("a",{href:"#samples?"+query(q),text:"\u2190 previous"}));}
  if(pages>1)nav.appendChild(document.createTextNode("page "+(page+1)+" of "+pages));
  if(page+1<pages){var q2=Object.assign({},p,{p:page+1});nav.appendChild(el("a",{href:"#samples?"+query(q2),text:"next \u2192"}));}
  return [el("p",null,[el("a",{href:"#",text:"\u2190 back to the report"})]),el("h1",{text:"Samples: "+title}),
    el("p",{id:"sk-count",text:rows.length+" sample(s) match; "+Object.keys(D.details).length+" of "+D.rows.length+" transcripts are embedded in this report."}),bar,table,nav];
}
function marked(text,marks){
  var pre=el("pre");if(!marks.length){pre.textContent=text;return pre;}
  var cuts=[0,text.length];marks.forEach(function(k){cuts.push(k.start,k.end);});
  cuts=cuts.filter(function(x,i,a){return a.indexOf(x)===i;}).sort(function(a,b){return a-b;});
  for(var i=0;i+1<cuts.length;i++){var s=cuts[i],e=cuts[i+1],piece=text.slice(s,e);
    var on=marks.filter(function(k){return k.start<=s&&k.end>=e;});
    if(!on.length){pre.appendChild(document.createTextNode(piece));continue;}
    var worst=on.some(function(k){return k.outcome==="harmful";})?"harmful":on.some(function(k){return k.outcome==="benign";})?"benign":"unscorable";
    pre.appendChild(el("mark",{cls:"sk-ev sk-ev-"+worst,"data-v":on.map(function(k){return k.verdict;}).join(" "),title:on.map(function(k){return k.detector+": "+k.outcome;}).join("; "),text:piece}));}
  return pre;
}
function sampleView(id){
  var r=byId[id];if(!r)return [el("p",{text:"No sample "+id+" in this report."}),el("a",{href:"#",text:"back to the report"})];
  var cond=D.conditions[r[2]],det=D.details[id];
  var out=[el("p",null,[el("a",{href:"#samples?"+query({m:r[1],c:r[2]}),text:"\u2190 the samples of "+D.models[r[1]]+" \u00d7 "+cond.label}),"  ",el("a",{href:"#",text:"the report"})]),
    el("h1",{text:"Sample "+id}),
    el("p",null,[D.models[r[1]]+", condition "+cond.label+", index "+r[3]+(det&&det.seed!==null?", seed "+det.seed:"")+". Decision: ",outcome(DEC[r[4]])," by "+(r[5]||"-")+(r[12]?" ("+r[12]+")":"")+(r[9]?" \u2014 verdicts disagree":"")])];
  if(r[8]>=0)out.push(el("p",{id:"sk-human"},["Human label: ",outcome(LAB[r[8]])," ("+r[11]+")"]));
  var ft=el("p",{id:"sk-factors",cls:"sk-factors"});
  Object.keys(cond.factors).forEach(function(k){ft.appendChild(el("span",{cls:"sk-chip","data-factor":k},[el("b",{text:k}),"="+cond.factors[k]]));});
  out.push(el("p",{cls:"sk-note",text:"Condition "+cond.label+" ("+cond.family+", "+cond.fingerprint.slice(0,12)+"), factors:"}),ft);
  if(!det){out.push(el("p",{id:"sk-left-out",text:"This sample's transcript is not embedded in this report (the cap is "+D.max_transcripts+" transcripts). Read it with: scenariokit sample "+D.store+" "+id}));return out;}
  out.push(el("h2",{text:"Verdicts"}));
  var vt=el("table",{id:"sk-verdicts"},[el("thead",null,[el("tr",null,["","source","detector","version","outcome","label","score","why","evidence","stored"].map(function(x){return el("th",{text:x});}))])]);
  var vb=el("tbody");
  var order=det.verdicts.map(function(v,k){return k;}).sort(function(a,b){
    var x=det.verdicts[a].category===cond.category?0:1,y=det.verdicts[b].category===cond.category?0:1;return x-y||a-b;});
  order.forEach(function(k){var v=det.verdicts[k];var src=v.detector==="human"?"human":/judge/.test(v.detector)?"judge":"heuristic";
    var tr=el("tr",{"data-v":k,"data-source":src,"data-detector":v.detector},[el("td",{text:"v"+k+(v.latest?"":" (old)")}),el("td",{text:src}),el("td",{text:v.detector}),el("td",{text:v.version}),
      el("td",null,[outcome(v.outcome)]),el("td",{text:v.label||"-"}),el("td",{text:v.score===null||v.score===undefined?"-":v.score.toFixed(2)}),el("td",{text:v.why}),
      el("td",null,[v.evidence?el("a",{href:"javascript:void 0","data-v":k,cls:"sk-goto",text:v.evidence+" quote(s)"}):"-"]),el("td",{text:v.stored_at})]);
    vb.appendChild(tr);});
  vt.appendChild(vb);out.push(vt);
  vt.addEventListener("click",function(ev){var a=ev.target.closest("a.sk-goto");if(!a)return;var k=a.getAttribute("data-v");
    document.querySelectorAll("mark.sk-focus").forEach(function(m){m.classList.remove("sk-focus");});
    var ms=Array.prototype.filter.call(document.querySelectorAll("mark.sk-ev"),function(m){return m.getAttribute("data-v").split(" ").indexOf(k)>=0;});
    ms.forEach(function(m){m.classList.add("sk-focus");});if(ms.length)ms[0].scrollIntoView({block:"center"});});
  out.push(el("h2",{text:"Transcript"}),el("p",{cls:"sk-note",text:"Evidence is highlighted: red for a harmful verdict's quote, green for a benign one's; hover a highlight to see whose it is."}));
  var tr=el("div",{id:"sk-transcript"});
  det.blocks.forEach(function(b){var box=el("div",{cls:"sk-block sk-k-"+b.kind},[el("h4",{text:"["+b.message_index+"] "+b.title})]);
    if(b.kind==="action"){var dl=el("dl",{cls:"sk-fields"});Object.keys(b.fields).forEach(function(k){var v=b.fields[k];dl.appendChild(el("dt",{text:k}));dl.appendChild(el("dd",{text:Array.isArray(v)?v.join(", "):String(v)}));});box.appendChild(dl);}
    else{var text=b.shared?cond.prompt[b.message_index]:b.text;
      if((b.kind==="system"||b.kind==="user")&&!b.highlights.length){var d=el("details",null,[el("summary",{text:"show ("+text.split("\n").length+" lines)"}),marked(text,[])]);box.appendChild(d);}
      else box.appendChild(marked(text,b.highlights));}
    tr.appendChild(box);});
  out.push(tr);return out;
}
function route(){
  var h=location.hash.replace(/^#/,"");view.textContent="";
  if(h.indexOf("samples")===0){report.hidden=true;view.hidden=false;listView(params(h.split("?")[1])).forEach(function(n){view.appendChild(n);});window.scrollTo(0,0);}
  else if(h.indexOf("sample/")===0){report.hidden=true;view.hidden=false;sampleView(parseInt(h.slice(7),10)).forEach(function(n){view.appendChild(n);});window.scrollTo(0,0);}
  else{view.hidden=true;report.hidden=false;}
  document.documentElement.setAttribute("data-sk-route",h.split("?")[0]||"report");
  document.documentElement.setAttribute("data-sk-hash",location.hash);
}
linkRates();window.addEventListener("hashchange",route);route();
window.skReady=performance.now();
})();
"""
