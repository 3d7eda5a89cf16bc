"""Instruments PyTorch when, and only if, the user's script imports it: the runner never imports
torch itself. Library entry points are hooked, never the user's code; every hook only reports to
a StepRecorder (through live_stages.LiveStages, which decides what the hooks must know at once and
logs the rest) and calls through, and every change is undone by `uninstall`.

  forward    torch.nn.modules.module.register_module_forward_pre_hook (official), registered only
             while no forward runs: the first module it sees is a top-level one, which gets its own
             forward hook (register_forward_hook) for that call, and the global hook goes away
             until that forward ends. Nested module calls thus find no hook and take torch's fast
             path, and between forwards no module holds a hook of ours (torch.save(model) pickles
             its hooks). A forward that raises never reaches its hook: the next step boundary (a
             batch, backward, optimizer call) ends it, removes that hook and puts the global one
             back. A call under no_grad/inference_mode or of a module in eval mode may be evaluation.
             The class of a top-level model or loss that pickles by name (nn.Sequential, a loss, a
             torchvision model) gets our __call__ instead, from its second call on: it does the same
             without putting the call on torch's slow path for hooks (two hooks' Python in
             _call_impl). The script's own __main__ classes and layers keep the hooks (_wrap_class).
  data       torch.utils.data.dataloader._BaseDataLoaderIter.__next__
  backward   torch.autograd.backward (Tensor.backward calls it; wrapped too in a torch where it does not)
  optimizer  step and zero_grad of each Optimizer class, wrapped when its first instance is built
             (subclasses override step, and torch re-wraps it for its profiler on construction),
             and torch.nn.Module.zero_grad
  loaders    torch.utils.data.DataLoader.__init__, to report where each loader is built
  optimizers torch.optim.Optimizer.__init__, to know one exists and where it was built; reported
             at its first step(), when it is known whether step is given a closure
  ranks      torch.distributed.init_process_group, after which calls are replayed as they happen
             (live_stages.py)
"""
import functools
import sys
import threading
import weakref

from .cpu_windows import UNREAD, CpuWindows
from .frames import innermost_user_frame
from .live_stages import REPLAY_AFTER_S, LiveStages
from .stage_windows import FETCHING, GAP_S, WINDOW_STEPS, StageWindows
from .step_records import UNTIMED
from .steps import STAGES

STAGE_NAMES = list(STAGES) + ["other"]
_DATA, _FORWARD, _BACKWARD, _OPTIMIZER = STAGES
_MISSING = object()


class TorchImportWatcher:
    """A sys.meta_path finder that lets `torch` import normally, then calls `on_import(torch)`
    right after torch/__init__ (which imports torch.nn, torch.optim and torch.utils.data) ran."""

    def __init__(self, on_import):
        self._on_import = on_import

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if finder is not self and find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _NotifyingLoader(spec.loader, self._loaded)
        return spec

    def _loaded(self, module):
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        self._on_import(module)


class _NotifyingLoader:
    def __init__(self, loader, on_loaded):
        self._loader = loader
        self._on_loaded = on_loaded

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # Once imported, torch sees its own loader, as it would without us.
        module.__loader__ = module.__spec__.loader = self._loader
        self._on_loaded(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class TorchHooks:
    def __init__(self, torch, post, on_failure):
        self.active = True
        self._torch = torch
        self._recorder = None
        self._live = None  # the LiveStages the hooks report to, replayed into the recorder
        self._post = post  # the channel's queue: loader and optimizer events
        self._on_failure = on_failure
        self._main = threading.main_thread().ident
        self._patches = []  # (owner, name, previous value in owner.__dict__ or _MISSING)
        self._global_dict = self._global_key = None  # where the global forward pre-hook is registered
        self._tops = []  # _TopHook of each top-level forward open, innermost last
        self._known = {}  # id() of each module seen at top level -> its _TopHook
        self._class_call = None  # the __call__ _wrap_class gives a top-level module's class
        self._cpu_windows = CpuWindows()  # which batches read the CPU clock
        self._stage_windows = StageWindows()  # when the stage hooks are off (stage_windows.py)
        self._stage_patches = []  # (owner, name, replacement, previous) of the hooks taken off between windows
        self._paused_patches = []  # those taken off now
        self._open_forward = self._close_forward = None  # shared by the hooks and _class_call (install)
        self._rearm = _nothing  # puts the global hook back, a C call
        self._loader_sites = set()
        self._optimizer_sites = weakref.WeakKeyDictionary()  # optimizer -> (file, line) built at
        self._reported = weakref.WeakSet()  # optimizers whose event was sent
        self._integer_dtypes = frozenset((torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8))

    def framework_event(self, on_cuda=False):
        torch = self._torch
        return {"type": "framework", "name": "pytorch", "version": str(torch.__version__), "package": "torch",
                "device": "cuda" if on_cuda or torch.cuda.is_initialized() else "cpu",
                "stages": STAGE_NAMES, "deviceTiming": on_cuda}

    def leading_dim(self, value, depth=0):
        """Leading dimension of the first tensor in a batch (tensor, or tuple/list/dict of them)."""
        tensor = self._torch.Tensor
        if isinstance(value, tensor):
            return int(value.shape[0]) if value.dim() > 0 else None
        if (type(value) is tuple or type(value) is list) and value and isinstance(value[0], tensor):  # most inputs and batches
            first = value[0]
            return int(first.shape[0]) if first.dim() > 0 else None
        if depth < 2 and isinstance(value, (tuple, list, dict)):
            for item in value.values() if isinstance(value, dict) else value:
                if isinstance(item, (self._torch.Tensor, tuple, list, dict)):
                    return self.leading_dim(item, depth + 1)
        return None

    def token_count(self, inputs):
        """B×T when a module's first positional input is an integer tensor of shape [B, T]."""
        first = inputs[0] if inputs else None
        if isinstance(first, self._torch.Tensor) and first.dim() == 2 and first.dtype in self._integer_dtypes:
            return int(first.shape[0]) * int(first.shape[1])
        return None

    # The hooks log a batch's shape as (size, dtype): the first tensor's, or (leading dimension,)
    # and None. Logs must not keep tensors alive; shapes are all the recorder needs, and only
    # for some calls, so it works them out when it replays one.

    def _batch_size(self, batch):
        """leading_dim, for a DataLoader gap's marks: None where it fails (reported)."""
        try:
            return self.leading_dim(batch)
        except Exception as exc:  # noqa: BLE001
            self._on_failure(exc)
            return None

    def _logged_shape(self, value):
        samples = self.leading_dim(value)
        return ((samples,) if samples is not None else (), None)

    @staticmethod
    def _logged_samples(shape):
        size = shape[0]
        return int(size[0]) if size else None

    def _logged_tokens(self, shape):
        size, dtype = shape
        return int(size[0]) * int(size[1]) if len(size) == 2 and dtype in self._integer_dtypes else None

    def install(self, recorder, overrides=None):
        torch = self._torch
        self._recorder = recorder
        live = self._live = LiveStages(recorder, self._on_failure, self._replay_at_once_now, self._logged_samples, self._logged_tokens)
        live.stage_windows = self._stage_windows
        self._open_forward, self._close_forward = self._forward_opener(live), self._forward_closer(live)
        self._top_post = self._top_forward_post(live)
        self._class_call = self._top_class_call(live)
        self._global_pre = self._forward_pre(live, self._top_post)
        self._register_global(live)
        iterator = torch.utils.data.dataloader._BaseDataLoaderIter
        next_wrapper = self._loader_next(iterator.__next__)
        self._stage_code(_DATA, iterator.__next__, next_wrapper)
        self._patch(iterator, "__next__", next_wrapper)
        self._stage_code(_BACKWARD, torch.autograd.backward, torch.Tensor.backward)
        self._stage_code(_FORWARD, torch.nn.Module._call_impl, getattr(torch.nn.Module, "_wrapped_call_impl", None))
        self._stage_code(_OPTIMIZER, torch.nn.Module.zero_grad, torch.optim.Optimizer.zero_grad)
        # Tensor.backward calls torch.autograd.backward: one wrapper is enough where it does.
        through = {"torch", "autograd", "backward"} <= set(getattr(getattr(torch.Tensor.backward, "__code__", None), "co_names", ()))
        for owner in (torch.autograd,) if through else (torch.Tensor, torch.autograd):
            staged = self._staged(owner.backward, _BACKWARD, recorder.backward_begin, recorder.backward_end, self._cpu_windows)
            self._patch(owner, "backward", staged, stage=True)
        # Not taken off between windows: a change to nn.Module's attributes invalidates the lookup
        # caches of every module class, and the next forward pays for all of them again.
        self._patch(torch.nn.Module, "zero_grad", self._zero_grad(torch.nn.Module.zero_grad))
        self._patch(torch.optim.Optimizer, "__init__", self._after(torch.optim.Optimizer.__init__, self._optimizer_built))
        if torch.distributed.is_available():  # from the first process group on, calls are replayed as they happen
            init = torch.distributed.init_process_group
            self._patch(torch.distributed, "init_process_group", self._before(init, self._replay_at_once))
        loader_init = torch.utils.data.DataLoader.__init__
        if overrides is not None:  # a tuning trial's settings (overrides.py), applied inside the report so it sees them
            loader_init = overrides.wrap_loader_init(loader_init)
        self._patch(torch.utils.data.DataLoader, "__init__", self._after(loader_init, self._report_loader))
        self._patch(torch.utils.data.DataLoader, "__iter__", self._before(torch.utils.data.DataLoader.__iter__, self._gap_ends))
        self._patch(torch.nn.Module, "eval", self._before(torch.nn.Module.eval, self._gap_ends))

    def uninstall(self):
        self.active = False
        gap = self._stage_windows
        if gap.paused and self._live is not None:  # the untimed steps' state back to the recorder, which drops the one open
            self._post_marks()
            self._live.log.append((self._recorder.gap_left, self._live.clock(), None, (gap.index, gap.t0)))
            gap.paused, gap.anchor = False, None
        if self._live is not None:
            self._live.on = False
            self._live.on_forward_enter = self._live.on_forward_exit = _nothing
        if self._global_dict is not None:
            self._global_dict.pop(self._global_key, None)
        for top in self._tops:
            top.disarm()
        self._tops.clear()
        for owner, name, previous in reversed(self._patches):
            if previous is _MISSING:
                if name in owner.__dict__:  # not if taken off for a gap
                    delattr(owner, name)
            else:
                setattr(owner, name, previous)
        self._patches = []
        self._stage_patches = self._paused_patches = []

    # ---- wrappers -----------------------------------------------------------------------------

    def _call(self, fn, *args):
        """Runs our code; a failure there disables instrumentation, never the training."""
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001
            self._on_failure(exc)
            return False

    # Hot paths (every step, cold caches after torch's work) test `on` and the thread inline and
    # run our code in their own try: each Python call saved shows per step.

    def _register_global(self, live):
        """Registers the global forward pre-hook, and gives `live` what removes it when a forward
        begins and puts it back when that ends: C calls on the dict torch keeps the hook in, under
        its first handle's id (a fifth of a new registration's cost, and no Python frame between
        torch's work), or the public API where a handle does not name its dict."""
        handle = self._torch.nn.modules.module.register_module_forward_pre_hook(self._global_pre)
        hooks = getattr(handle, "hooks_dict_ref", lambda: None)()
        key = getattr(handle, "id", None)
        if hooks is None or key not in hooks:
            hooks, key = _PublicRegistration(self._torch.nn.modules.module.register_module_forward_pre_hook, handle), None
        self._global_dict, self._global_key = hooks, key
        live.on_forward_enter = functools.partial(hooks.pop, key, None)
        self._rearm = functools.partial(hooks.__setitem__, key, self._global_pre)
        live.on_forward_exit = self._exit_forward

    def _exit_forward(self):
        """Puts the global hook back; a top module that still holds its hook (its forward raised)
        loses it once no forward is open."""
        live, tops = self._live, self._tops
        if not live.on:
            return
        self._rearm()
        if tops and not live.forward_open:
            for top in tops:
                top.disarm()
            tops.clear()

    def _forward_opener(self, live):
        """open_forward(module, inputs, t): LiveStages.forward_begin, inline for a forward that opens
        outside any stage, logging the inputs' shape and the mode; False when a replay it caused
        switched instrumentation off. For a call where LiveStages.opens_forward."""
        grad_enabled, tensor, logged_shape = self._torch.is_grad_enabled, self._torch.Tensor, self._logged_shape
        stack, log, begin = live.stack, live.log.append, self._recorder.forward_begin

        def open_forward(module, inputs, t):
            first = inputs[0] if inputs else None
            shape = (first.shape, first.dtype) if isinstance(first, tensor) else logged_shape(inputs)
            call = (begin, t, None, (module, shape, module.training, grad_enabled()))
            if stack:
                live.forward_begin(call)  # may replay the log, and a failure there unhooks all
                return live.on
            live.top_module = module
            stack.append(_FORWARD)
            live.on_forward_enter()  # the global hook goes: nested calls take torch's fast path
            log(call)
            return True
        return open_forward

    def _forward_closer(self, live):
        """close_forward(t): LiveStages.forward_end, inline for the one forward open, putting the
        global hook back; for the innermost forward's module, once its call returned."""
        stack, log, tops, end = live.stack, live.log.append, self._tops, self._recorder.forward_end

        def close_forward(t):
            if len(stack) == 1 and stack[0] is _FORWARD:
                stack.pop()
                live.top_module = None
                if tops:
                    self._exit_forward()
                else:
                    self._rearm()
                log((end, t, None, ()))
            else:
                live.forward_end((end, t, None, ()))
            if t >= live.due:
                live.flush()
        return close_forward

    def _forward_pre(self, live, top_post):
        # Registered only outside forwards: it sees top-level calls, and module calls in the data
        # stage (a transform module in a Dataset), which open nothing.
        get_ident, main, clock, stack = threading.get_ident, self._main, live.clock, live.stack
        known, tops, open_forward = self._known, self._tops, self._open_forward
        last = [None]  # the _TopHook of the last top-level module: spares the lookup by id

        def forward_pre(module, inputs):
            # LiveStages.opens_forward, inline
            if live.on and get_ident() == main and (not stack or stack[-1] is _BACKWARD or stack[-1] is _OPTIMIZER):
                t = clock()
                try:
                    if not open_forward(module, inputs, t):
                        return
                    top = last[0]
                    if top is None or top.module() is not module:
                        top = known.get(id(module))
                        if top is None or top.module() is not module:
                            top = self._first_sight(module, top_post)
                        last[0] = top
                    top.arm()
                    tops.append(top)
                    if t >= live.due:  # replayed before the forward runs (a CUDA stage's start marker)
                        live.flush()
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
        return forward_pre

    def _first_sight(self, module, top_post):
        """Registers the module's own forward hook through the public API once; later forwards put
        it back under the same id, as the global hook is."""
        handle = module.register_forward_hook(top_post)
        hooks = getattr(handle, "hooks_dict_ref", lambda: None)()
        key = getattr(handle, "id", None)
        if hooks is None or key not in hooks:
            hooks, key = _PublicRegistration(module.register_forward_hook, handle), None
        known, ident = self._known, id(module)

        def forget(ref):  # the module is gone
            if ident in known and known[ident].module is ref:
                del known[ident]
        top = known[ident] = _TopHook(weakref.ref(module, forget), hooks, key, top_post)
        self._wrap_class(module)
        return top

    def _wrap_class(self, module):
        """Gives the class of `module`, a top-level module, the forward's __call__ (_top_class_call)
        where that is safe and cheap: torch's own __call__ in its MRO (not one of the class's or a
        script module's); a class that pickles by name, so that nothing copies our function along
        with it; and a model (a module with children) or a loss, not a layer such as nn.Linear or
        nn.ReLU, whose many nested calls inside models would each pass through our __call__. Only
        in runs whose stage hooks stay on (CUDA, ranks: stage_windows.py): where they come off
        between windows, the global hook comes off too, while our __call__ would stay in every
        call (a class attribute put back and taken off again costs more: every lookup on the
        class starts again), measured 3.7 µs a fast_steps.py step against none."""
        cls, torch = type(module), self._torch
        if self._live.deferred:
            return
        if getattr(cls, "__call__", None) is not torch.nn.Module.__call__ or issubclass(cls, torch.jit.ScriptModule):
            return
        if next(module.children(), None) is None and not isinstance(module, torch.nn.modules.loss._Loss):
            return
        if cls.__module__ == "__main__" or _by_name(cls.__module__, cls.__qualname__) is not cls:
            return
        self._patch(cls, "__call__", self._class_call)

    def _top_class_call(self, live):
        """forward_pre and top_forward_post in one __call__, for _wrap_class. Module.__call__ is
        looked up at each call: torch.fx puts its own there while it traces."""
        nn_module, get_ident, main, clock, stack = self._torch.nn.Module, threading.get_ident, self._main, live.clock, live.stack
        open_forward, close_forward = self._open_forward, self._close_forward

        def __call__(module, *args, **kwargs):
            # LiveStages.opens_forward, inline; otherwise torch's call, as the global hook would do nothing
            if not (live.on and get_ident() == main and (not stack or stack[-1] is _BACKWARD or stack[-1] is _OPTIMIZER)):
                return nn_module.__call__(module, *args, **kwargs)
            t = clock()
            try:
                if open_forward(module, args, t) and t >= live.due:
                    live.flush()
            except Exception as exc:  # noqa: BLE001
                self._on_failure(exc)
            # A forward that raises ends at the next step boundary, as one whose hook it never reached.
            result = nn_module.__call__(module, *args, **kwargs)
            if module is live.top_module and live.on and get_ident() == main:
                try:
                    close_forward(clock())
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
            return result
        __call__.__trainlens__ = True
        return __call__

    def _top_forward_post(self, live):
        # Called again after its forward raised (its hook still on), the top module's stale forward
        # stage goes on through the new call (the time between was the forward's too) and ends here.
        get_ident, main, tops, clock, close_forward = threading.get_ident, self._main, self._tops, live.clock, self._close_forward

        def top_forward_post(module, inputs, output):
            if module is live.top_module and live.on and get_ident() == main:
                t = clock()
                try:
                    if tops and tops[-1].module() is module:
                        tops.pop().disarm()
                    close_forward(t)
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
        return top_forward_post

    def _staged(self, original, kind, begin, end, windows=None):
        """Wraps `original` in `kind`'s stage (_BACKWARD or _OPTIMIZER), logging the recorder's
        `begin` and `end` calls; the usual call, with no stage open around it, is handled inline
        (LiveStages.begin and end say the same). `windows`: the CpuWindows whose backward calls
        these are."""
        live, get_ident, main, gap = self._live, threading.get_ident, self._main, self._stage_windows
        clock, stack, log = live.clock, live.stack, live.log.append

        @functools.wraps(original)
        def staged(*args, **kwargs):
            # Called while paused only through a reference taken before (a bound method kept aside)
            if not (live.on and get_ident() == main) or gap.paused:
                return original(*args, **kwargs)
            t = clock()
            if stack:
                if not self._call(live.begin, kind, (begin, t, None, ())):
                    return original(*args, **kwargs)
            else:
                stack.append(kind)
                log((begin, t, None, ()))
                if t >= live.due:  # replayed before `original` runs (a CUDA stage's start marker)
                    live.flush()
            try:
                return original(*args, **kwargs)
            finally:
                t = clock()
                if windows is not None:
                    windows.backwards += 1
                if len(stack) == 1 and stack[0] is kind:
                    stack.pop()
                    log((end, t, None, ()))
                    if t >= live.due:
                        live.flush()
                else:
                    self._call(live.end, kind, (end, t, None, ()))
        staged.__trainlens__ = True
        return staged

    def _zero_grad(self, original):
        rec = self._recorder
        self._stage_code(_OPTIMIZER, original)
        return self._staged(original, _OPTIMIZER, rec.zero_grad_begin, rec.zero_grad_end)

    def _optimizer_step(self, original):
        """_staged's wrapper, with the optimizer in the logged calls, and its report at its first step."""
        live, get_ident, main = self._live, threading.get_ident, self._main
        clock, stack, log = live.clock, live.stack, live.log.append
        rec, windows, gap, untimed = self._recorder, self._cpu_windows, self._stage_windows, UNTIMED
        begin, end = rec.optimizer_begin, rec.optimizer_end
        post, origin = rec.untimed_sink()
        last = [None]  # the optimizer last seen already reported: spares the WeakSet lookup

        @functools.wraps(original)
        def step(optimizer, *args, **kwargs):
            if not (live.on and get_ident() == main):
                return original(optimizer, *args, **kwargs)
            if gap.paused:
                if optimizer is not gap.anchor:
                    # Here only through a reference taken before (a bound method kept aside): in a
                    # DataLoader's gap, part of the step as in every step of the window.
                    if gap.by_loader:
                        return original(optimizer, *args, **kwargs)
                    self._call(self._interrupt)
                else:  # the step of the optimizer that ends rounds, the stage hooks off: a step boundary
                    try:
                        result = original(optimizer, *args, **kwargs)
                    except BaseException:
                        self._call(self._interrupt)
                        raise
                    # Its step goes out here, past the log (nothing else is logged meanwhile): a
                    # Python call less, of the few an untimed step costs.
                    t = clock()
                    t0 = gap.t0
                    post((gap.index, (t0 - origin) * 1000.0, (t - t0) * 1000.0, None) + untimed)
                    gap.index, gap.t0 = gap.index + 1, t
                    if t >= gap.resume_at:
                        self._call(self._resume, t, False)
                    return result
            t = clock()
            closure = (args[0] if args else kwargs.get("closure")) is not None
            if optimizer is not last[0]:
                if optimizer not in self._reported:
                    self._call(self._report_optimizer, optimizer, closure)
                last[0] = optimizer
            if stack:
                if not self._call(live.begin, _OPTIMIZER, (begin, t, None, (optimizer,))):
                    return original(optimizer, *args, **kwargs)
            else:
                stack.append(_OPTIMIZER)
                log((begin, t, None, (optimizer,)))
                if t >= live.due:
                    live.flush()
            stepped = False
            try:
                result = original(optimizer, *args, **kwargs)
                stepped = True
                return result
            finally:
                t = clock()
                windows.steps += 1
                if len(stack) == 1 and stack[0] is _OPTIMIZER:
                    stack.pop()
                    log((end, t, None, (optimizer, closure)))
                    if t >= live.due:
                        live.flush()
                    if stepped and t >= gap.try_step_at:
                        self._call(self._try_pause, t, optimizer)
                else:
                    self._call(live.end, _OPTIMIZER, (end, t, None, (optimizer, closure)))
        step.__trainlens__ = True
        self._stage_code(_OPTIMIZER, original, step)
        return step

    def _loader_next(self, original):
        """The DataLoader iterator's __next__: the anchor's batch between windows here, in a function
        of its own (a smaller frame to set up at every step), anything else in _hooked_next."""
        get_ident, main, clock, log = threading.get_ident, self._main, self._live.clock, self._live.log.append
        gap, gap_exhausted, tensor = self._stage_windows, self._recorder.gap_exhausted, self._torch.Tensor
        mark, batch_size = gap.marks.append, self._batch_size
        hooked = self._hooked_next(original)

        @functools.wraps(original)
        def __next__(iterator):
            # Between windows, the anchor's batch (the anchor is None while the hooks are on or
            # uninstalled): a step boundary, marked with its time and then the batch's size; the
            # steps go out at the gap's end (_post_marks). As few calls and reads as will do: this
            # runs at every step, cold after torch's work (posting each step here cost it ~2 µs more).
            if iterator is gap.anchor and get_ident() == main:
                t = clock()
                mark(t)
                if t < gap.resume_at:
                    try:
                        batch = original(iterator)
                    except StopIteration:
                        self._call(self._post_marks)
                        log((gap_exhausted, clock(), None, (gap.index,)))
                        self._call(self._hooks_back, t)
                        raise
                    except BaseException:
                        self._call(self._interrupt)
                        raise
                    try:
                        # leading_dim, inline for a tensor or a tuple or list that starts with one; the
                        # rest (a 0-dim tensor's empty shape, an empty batch) through _batch_size
                        first = batch[0] if type(batch) is tuple or type(batch) is list else batch
                        mark(first.shape[0] if type(first) is tensor else batch_size(batch))
                    except Exception:  # noqa: BLE001
                        mark(batch_size(batch))
                    return batch
                self._call(self._resume, t, True)
            return hooked(iterator)
        return __next__

    def _hooked_next(self, original):
        """__next__ with the stage hooks on (and a gap's other reads): the data stage, logged."""
        live, get_ident, main, clock, cpu_clock, stack, log = (self._live, threading.get_ident, self._main, self._live.clock,
                                                               self._live.cpu_clock, self._live.stack, self._live.log.append)
        rec, tensor, logged_shape, windows = self._recorder, self._torch.Tensor, self._logged_shape, self._cpu_windows
        begin, loaded, exhausted, gap = rec.loader_next, rec.loader_batch, rec.loader_exhausted, self._stage_windows

        def hooked_next(iterator):
            # Off, another thread, or part of another stage (LiveStages.opens_data, inline)
            if not (live.on and get_ident() == main) or (stack and stack[-1] is not _FORWARD):
                return original(iterator)
            elif gap.paused:
                if len(gap.marks) % 2:  # a read inside the anchor's batch (its size not marked yet): part of its loading
                    return original(iterator)
                self._call(self._interrupt)
            # The CPU clock in windows only (cpu_windows.py), and read before the wall clock, as
            # StepRecorder.loader_next says why.
            t = clock()
            if windows.on:
                if windows.covered:
                    windows.close(t)
            elif t >= windows.due:
                windows.open()
            if windows.on:
                cpu = cpu_clock()
                t = clock()
            else:
                cpu = UNREAD
            call = (begin, t, cpu, (iterator,))
            if stack:
                self._call(live.loader_next, call)
            else:  # LiveStages.loader_next, inline for a batch outside any stage
                stack.append(_DATA)
                log(call)
                if t >= live.due:
                    live.flush()
            try:
                batch = original(iterator)
            except StopIteration:
                self._call(live.data_ends, (exhausted, clock(), cpu_clock() if windows.on else UNREAD, ()))
                raise
            except BaseException:
                self._call(live.data_ends, (rec.end, clock(), cpu_clock() if windows.on else UNREAD, (_DATA,)), True)
                raise
            t = clock()
            cpu = cpu_clock() if windows.on else UNREAD
            try:
                # _logged_shape, inline for a tensor or a tuple or list that starts with one
                first = batch[0] if (type(batch) is tuple or type(batch) is list) and batch else batch
                call = (loaded, t, cpu, ((first.shape, None) if isinstance(first, tensor) else logged_shape(batch),))
                if len(stack) == 1 and stack[0] is _DATA:  # LiveStages.data_ends, inline
                    stack.pop()
                    log(call)
                    if t >= live.due:
                        live.flush()
                    if t >= gap.try_batch_at:
                        self._try_pause(t, None)
                else:
                    live.data_ends(call)
            except Exception as exc:  # noqa: BLE001
                self._on_failure(exc)
            return batch
        return hooked_next

    # ---- windows of timed stages (stage_windows.py) -------------------------------------------

    def _try_pause(self, t, optimizer):
        """At a step boundary just logged, in a window (`optimizer`: the one whose step it was, or
        None at a batch): takes the stage hooks off when the recorder finds the loop
        plain. The log is replayed first: from here to the next window, steps go to the recorder
        directly."""
        live, gap = self._live, self._stage_windows
        if not live.deferred:  # CUDA or ranks: stage boundaries are marked as they happen, always
            gap.try_batch_at = gap.try_step_at = float("inf")
            return
        if gap.skip_tries and (optimizer is None) is gap.by_loader:
            gap.skip_tries -= 1
            return
        live.flush()
        if not live.on:
            return
        anchor, retry_s = self._recorder.gap_anchor(optimizer is None, gap)
        if anchor is None:
            if optimizer is None:
                gap.try_batch_at = t + retry_s
            else:
                gap.try_step_at = t + retry_s
            return
        keep = getattr(type(optimizer), "step", None) if optimizer is not None else None
        gap.paused, gap.resume_at = True, t + GAP_S
        gap.anchor, gap.by_loader = (optimizer, False) if optimizer is not None else (anchor, True)
        gap.marks.clear()  # a batch that arrived after its gap was interrupted marked its size
        if self._cpu_windows.on:
            self._cpu_windows.close(t)
        removed = self._paused_patches = []
        for patch in self._stage_patches:
            owner, name, replacement, previous = patch
            if replacement is keep:
                continue
            if previous is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)
            removed.append(patch)
        self._global_dict.pop(self._global_key, None)

    def _resume(self, t, by_loader):
        """The stage hooks back on at a step boundary, the untimed steps all given to the recorder
        (`by_loader`: a DataLoader's batch, which the hooks log next; else an optimizer's step)."""
        gap, live = self._stage_windows, self._live
        other_at = gap.try_step_at if by_loader else gap.try_batch_at
        self._post_marks()
        live.log.append((self._recorder.gap_resumed, t, None, (by_loader, gap.index)))
        if live.deferred:  # nothing else was logged in the gap: replayed with the window's steps at
            # the try to pause, rather than cold at the window's first call (the gap outlasts REPLAY_AFTER_S)
            live.due = t + REPLAY_AFTER_S
        self._hooks_back(t)
        # The loop's shape is as it was: the other kind of boundary keeps its time to try again, and
        # the anchor's first boundaries need no try, each a cold replay of the log for nothing, as
        # the recorder pauses only once WINDOW_STEPS steps closed since now (a batch closes the
        # step before it, an optimizer's step its own).
        if by_loader:
            gap.try_step_at, gap.skip_tries = other_at, WINDOW_STEPS
        else:
            gap.try_batch_at, gap.skip_tries = other_at, WINDOW_STEPS - 1

    def _interrupt(self):
        """A call that the anchor alone cannot place, during a gap: a window opens at once."""
        self._post_marks()
        gap, t = self._stage_windows, self._live.clock()
        samples = gap.samples if gap.samples is not FETCHING else None
        self._live.log.append((self._recorder.gap_interrupted, t, None, (samples, gap.index, gap.t0)))
        self._hooks_back(t)

    def _post_marks(self):
        """Posts the untimed steps the anchor's batches marked in a DataLoader's gap, as one queue item
        (step_records.UntimedSteps): each boundary's time ends a step and starts the next, whose
        samples follow it (FETCHING: not arrived)."""
        gap = self._stage_windows
        marks = gap.marks
        if not marks:
            return
        self._recorder.post_untimed_steps(gap.index, gap.t0, gap.samples, tuple(marks))
        gap.index += (len(marks) + 1) // 2
        if len(marks) % 2:
            gap.t0, gap.samples = marks[-1], FETCHING
        else:
            gap.t0, gap.samples = marks[-2], marks[-1]
        marks.clear()

    def _hooks_back(self, t):
        gap, live = self._stage_windows, self._live
        gap.paused, gap.anchor, gap.samples, gap.try_batch_at, gap.try_step_at, gap.skip_tries = False, None, None, t, t, 0
        for owner, name, replacement, _ in self._paused_patches:
            setattr(owner, name, replacement)
        self._paused_patches = []
        if live.on:
            self._rearm()

    def _gap_ends(self):
        # A DataLoader's __iter__ or a model's eval(), or a DataLoader or optimizer built: in a gap,
        # the step in progress is over before the new iterator's workers start, and what follows
        # (an evaluation pass, a new epoch) is timed. (Module.eval, not Module.train: train()
        # recurses into every child, and some loops call it every step.)
        if self._stage_windows.paused and threading.get_ident() == self._main:
            self._interrupt()

    def _stage_code(self, stage, *functions):
        """Records the code of `functions` (torch's entry points and our wrappers) as `stage`'s, for
        the sampler while the stage hooks are off."""
        for function in functions:
            code = getattr(getattr(function, "__func__", function), "__code__", None)
            if code is not None:
                self._stage_windows.codes[code] = stage

    def _after(self, original, then):
        @functools.wraps(original)
        def init(obj, *args, **kwargs):
            original(obj, *args, **kwargs)
            if self.active:
                self._call(then, obj)
        return init

    def _before(self, original, first):
        @functools.wraps(original)
        def call(*args, **kwargs):
            if self.active:
                self._call(first)
            return original(*args, **kwargs)
        return call

    def _replay_at_once_now(self):
        """Calls are replayed as they happen once stage boundaries must be marked when they occur:
        on CUDA (device markers), and in a distributed run (a rank's step takes the collectives'
        time measured until it is posted)."""
        distributed = self._torch.distributed
        return self._torch.cuda.is_initialized() or (distributed.is_available() and distributed.is_initialized())

    def _replay_at_once(self):
        self._live.flush()
        self._live.replay_at_once()

    def _optimizer_built(self, optimizer):
        self._gap_ends()
        cls = type(optimizer)
        if not getattr(cls.step, "__trainlens__", False):
            self._patch(cls, "step", self._optimizer_step(cls.step), stage=True)
        if not getattr(cls.zero_grad, "__trainlens__", False):
            self._patch(cls, "zero_grad", self._zero_grad(cls.zero_grad), stage=True)
        self._optimizer_sites[optimizer] = innermost_user_frame(sys._getframe(1))
        self._cpu_windows.optimizers = True
        if threading.get_ident() == self._main:
            self._live.optimizer_built()  # in order with the calls logged before it
        else:
            self._recorder.optimizer_built()

    # Events posted here come after the step records of the calls before them.

    def _report_optimizer(self, optimizer, closure):
        self._live.flush()
        self._reported.add(optimizer)
        cls = type(optimizer)
        file, line = self._optimizer_sites.get(optimizer, (None, None))
        defaults = getattr(optimizer, "defaults", None)
        self._post({"type": "optimizer", "kind": "%s.%s" % (cls.__module__, cls.__qualname__), "file": file, "line": line,
                    "closure": closure, "foreach": _bool(defaults.get("foreach")) if isinstance(defaults, dict) else None})

    def _report_loader(self, loader):
        self._gap_ends()
        file, line = innermost_user_frame(sys._getframe(1))
        if file is None or (file, line) in self._loader_sites:
            return
        self._loader_sites.add((file, line))
        self._live.flush()
        self._post({"type": "loader", "kind": "torch.utils.data.DataLoader", "file": file, "line": line,
                         "batchSize": _int(getattr(loader, "batch_size", None)), "numWorkers": _int(getattr(loader, "num_workers", None)),
                         "pinMemory": _bool(getattr(loader, "pin_memory", None)),
                         "persistentWorkers": _bool(getattr(loader, "persistent_workers", None)),
                         "prefetchFactor": _int(getattr(loader, "prefetch_factor", None))})

    def _patch(self, owner, name, replacement, stage=False):
        """`stage`: a stage hook, taken off between windows (stage_windows.py)."""
        previous = owner.__dict__.get(name, _MISSING)
        self._patches.append((owner, name, previous))
        if stage:
            self._stage_patches.append((owner, name, replacement, previous))
        setattr(owner, name, replacement)


class _TopHook:
    """A top-level module's own forward hook: `arm` puts it in the module's hook dict, `disarm`
    takes it out (C calls: a partial of the dict's own methods)."""
    __slots__ = ("module", "arm", "disarm")

    def __init__(self, module, hooks, key, hook):
        self.module = module  # a weakref
        self.arm = functools.partial(hooks.__setitem__, key, hook)
        self.disarm = functools.partial(hooks.pop, key, None)


class _PublicRegistration:
    """Stands in for torch's hook dict where a handle does not name it: registers and removes a
    hook through the public API (`register`)."""

    def __init__(self, register, handle):
        self._register, self._handle = register, handle

    def pop(self, key, default=None):
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def __setitem__(self, key, hook):
        if self._handle is None:
            self._handle = self._register(hook)


def _nothing():
    pass


def _by_name(module_name, qualname):
    """What pickle finds under a class's name: the object at `qualname` in that module, or None."""
    found = sys.modules.get(module_name)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value):
    return value if isinstance(value, bool) else None
