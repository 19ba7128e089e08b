name,age
ann,31
