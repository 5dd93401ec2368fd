import json, random, sys
import numpy as np
rng = np.random.default_rng(99)
cases = []
def add(cid, title, ex, **inp):
    cases.append({'id': cid, 'title': title, 'exercises': ex, 'seed': 99, 'input': inp})
def nrm(m, mu=10, sd=2): return [round(float(v), 4) for v in rng.normal(mu, sd, m)]
for r in range(3):
    m = 20
    y = nrm(m)
    cl = [None] * 10 + [10.5] * 10
    add(f'ed_i_clvec_na_{r}', 'I chart, per-row cl missing in part 1 (recomputed) and given in part 2', ['i','cl_vector','part'], chart='i', y=y, cl=cl, part=[10])
    add(f'ed_run_clvec_part_{r}', 'run chart, per-row cl given in one part only', ['run','cl_vector','part'], chart='run', y=y, cl=cl, part=[10])
    lab = ['a']*6 + ['b']*6 + ['a']*8
    add(f'ed_run_labels_reappear_{r}', 'part labels, label reappears (no new part)', ['run','part_labels'], chart='run', y=y, part=lab)
    lab3 = ['a']*6 + ['b']*6 + ['c']*8
    add(f'ed_i_labels3_{r}', 'I chart, three label parts', ['i','part_labels'], chart='i', y=y, part=lab3)
    add(f'ed_i_exclude_out_of_range_{r}', 'exclude index beyond the data', ['i','exclude'], chart='i', y=y, exclude=[3, 50])
    add(f'ed_i_freeze_big_{r}', 'freeze beyond the data', ['i','freeze'], chart='i', y=y, freeze=40)
    add(f'ed_i_freeze1_{r}', 'freeze 1: no moving range', ['i','freeze'], chart='i', y=y, freeze=1)
    add(f'ed_i_freeze2_{r}', 'freeze 2: one moving range', ['i','freeze'], chart='i', y=y, freeze=2)
    add(f'ed_i_freeze_and_part_{r}', 'freeze ignored when part given', ['i','freeze','part'], chart='i', y=y, freeze=5, part=[12])
    x = list(range(1, m + 1)); x[int(rng.integers(0, m))] = None
    add(f'ed_run_x_na_{r}', 'a missing x drops its row', ['run','na_x'], chart='run', y=y, x=x)
    add(f'ed_i_yneg_negative_{r}', 'y_neg False with negative data: no effect', ['i','y_neg'], chart='i', y=nrm(m, 0, 1), y_neg=False)
    add(f'ed_xbar_yneg_{r}', 'xbar y_neg False', ['xbar','y_neg'], chart='xbar', y=[round(abs(v), 4) for v in nrm(3*m, 0.5, 1)], x=[i//3+1 for i in range(3*m)], y_neg=False)
    yy = [int(v) for v in rng.binomial(40, 0.2, 12)]; nn = [int(v) for v in rng.integers(30, 60, 12)]
    yy[3] = None
    xs = ['h%02d' % i for i in range(12)]
    add(f'ed_pp_funnel_na_{r}', "P' funnel (text x) with a missing count: sd of z missing", ['pp','character_x','na'], chart='pp', y=yy, n=nn, x=xs)
    add(f'ed_up_funnel_{r}', "U' funnel (text x)", ['up','character_x'], chart='up', y=[int(v) for v in rng.poisson(8, 12)], n=[round(float(v),2) for v in rng.uniform(1, 5, 12)], x=xs)
    add(f'ed_p_multirow_{r}', 'P chart, two rows per x, summed', ['p','rows'], chart='p', y=[int(v) for v in rng.binomial(20, 0.3, 24)], n=[20]*24, x=[i//2+1 for i in range(24)])
    add(f'ed_run_aggsum_allna_{r}', 'run agg sum with an all-missing multi-row subgroup (sums to 0)', ['run','agg_sum','na'], chart='run', y=[None, None] + nrm(22), x=[i//2+1 for i in range(24)], agg_fun='sum')
    add(f'ed_i_aggsd_{r}', 'I chart of subgroup SDs (agg sd)', ['i','agg_sd'], chart='i', y=nrm(36), x=[i//3+1 for i in range(36)], agg_fun='sd')
    dts = ['2022-%02d-01' % (i//2+1) for i in range(24)]
    add(f'ed_run_dates_rows_{r}', 'dates with two rows per month', ['run','date_x','rows'], chart='run', y=nrm(24), x=dts, x_type='date')
    xf = [1,2,3,4,5,6,7,8,9,10,11,12]*2
    add(f'ed_run_facets_dates_{r}', 'facets with dates', ['run','facets','date_x'], chart='run', y=nrm(24), x=['2023-%02d-01' % v for v in xf], x_type='date', facet=['a']*12+['b']*12)
    xr = [int(v) for v in rng.integers(1, 8, 20)]
    add(f'ed_run_repeat_x_{r}', 'unsorted x with repeats', ['run','unsorted_x','rows'], chart='run', y=nrm(20), x=xr)
    add(f'ed_run_na_single_{r}', 'single-row subgroup with missing y', ['run','na'], chart='run', y=[None]+nrm(15)+[None])
    add(f'ed_run_bestbox_small_{r}', 'bestbox with n < 10 falls back to Anhoej', ['run','method_bestbox'], chart='run', y=nrm(8), method='bestbox')
    add(f'ed_run_cutbox_{r}', 'cutbox n=40', ['run','method_cutbox'], chart='run', y=nrm(20)+nrm(20, 11), method='cutbox')
    add(f'ed_t_na_freeze_{r}', 'T chart with a missing value and freeze', ['t','na','freeze'], chart='t', y=[None]+[round(float(v)+0.1,3) for v in rng.exponential(10, 19)], freeze=12)
    add(f'ed_g_cl_freeze_{r}', 'G chart, cl given, freeze', ['g','cl','freeze'], chart='g', y=[int(v) for v in rng.geometric(0.1, 20)], cl=8.0, freeze=10)
    add(f'ed_mr_exclude_{r}', 'MR chart with exclude', ['mr','exclude'], chart='mr', y=nrm(20), exclude=[5, 6])
    add(f'ed_mr_freeze_{r}', 'MR chart with freeze', ['mr','freeze'], chart='mr', y=nrm(20), freeze=10)
    add(f'ed_c_with_n_{r}', 'C chart ignores n', ['c','with_n'], chart='c', y=[int(v) for v in rng.poisson(5, 20)], n=[int(v) for v in rng.integers(1, 9, 20)])
    add(f'ed_c_na_single_{r}', 'C chart single missing count stays missing', ['c','na'], chart='c', y=[None]+[int(v) for v in rng.poisson(5, 19)])
    add(f'ed_xbar_exclude_freeze_{r}', 'xbar exclude + freeze', ['xbar','exclude','freeze'], chart='xbar', y=nrm(60), x=[i//3+1 for i in range(60)], exclude=[2], freeze=12)
    add(f'ed_s_varn_freeze_{r}', 'S chart variable n + freeze', ['s','variable_subgroups','freeze'], chart='s', y=nrm(50), x=sorted([int(v) for v in rng.integers(1, 16, 50)]), freeze=8)
    add(f'ed_u_multiply_yneg_{r}', 'U chart multiply 1000 y_neg False', ['u','multiply','y_neg'], chart='u', y=[int(v) for v in rng.poisson(3, 20)], n=[round(float(v),1) for v in rng.uniform(50, 500, 20)], multiply=1000, y_neg=False)
    add(f'ed_p_part_freeze_{r}', 'P chart, part overrides freeze', ['p','part','freeze'], chart='p', y=[int(v) for v in rng.binomial(50, 0.2, 20)], n=[50]*20, part=[10], freeze=4)
    add(f'ed_i_facets_exclude_{r}', 'facets with exclude (per facet index)', ['i','facets','exclude'], chart='i', y=nrm(30), x=list(range(1,16))*2, facet=['x']*15+['y']*15, exclude=[3])
    add(f'ed_run_all_na_{r}', 'run chart all missing', ['run','na'], chart='run', y=[None]*6)
    add(f'ed_i_two_points_{r}', 'I chart of two points', ['i','short'], chart='i', y=nrm(2))
    add(f'ed_i_one_point_{r}', 'I chart of one point', ['i','short'], chart='i', y=nrm(1))
    add(f'ed_xbar_one_subgroup_{r}', 'xbar single subgroup', ['xbar','short'], chart='xbar', y=nrm(4), x=[1,1,1,1])
    add(f'ed_t_negative_{r}', 'T chart with a negative value: error', ['t','error'], chart='t', y=[3.0, 1.0, -2.0, 5.0])
json.dump(cases, open('/work/scratch/fuzz/edge.json', 'w'))
print(len(cases))
