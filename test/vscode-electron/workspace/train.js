// A small CPU "training" loop for the VS Code suite: prints progress and ends in about 2 s.
let x = 0;
const end = Date.now() + 2000;
for (let step = 0; Date.now() < end; step++) {
  for (let i = 0; i < 200000; i++) x += Math.sqrt(i + step);
  if (step % 10 === 0) console.log(`step ${step}`);
}
console.log('done', x > 0);
