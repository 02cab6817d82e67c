#!/bin/sh
# print body length of each file
cd /work/main/corpus/written/w13 && python3 - <<'PY'
import glob
s=m=l=vl=0
for f in sorted(glob.glob('*.txt')):
    t=open(f,encoding='utf-8').read().split('\n---\n',1)[1].strip()
    n=len(t)
    if n<400:s+=1
    elif n<1500:m+=1
    elif n<4000:l+=1
    else:vl+=1
    print(f,n,end='; ')
print()
print('short',s,'med',m,'long',l,'verylong',vl)
PY
