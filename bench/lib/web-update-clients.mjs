// Opens N event streams on the live page at URL once it answers and reads them to the end (bench/lib/web-update-probe.ts).
const url = process.argv[2]; const n = Number(process.argv[3] ?? 50);
for (;;) { const ok = await fetch(url).then(r=>r.text()).then(t=>t.includes('live-bar'),()=>false); if (ok) break; await new Promise(r=>setTimeout(r,100)); }
let bytes=0;
await Promise.all(Array.from({length:n}, async()=>{ try { const res = await fetch(url+'events'); const rd=res.body.getReader(); for(;;){const {value,done}=await rd.read(); if(done)break; bytes+=value.length;} } catch {} }));
console.log('bytes', bytes);
