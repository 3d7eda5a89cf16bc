"""Instruments PyTorch when, and only if, the user's script imports it: the runner never imports
torch itself. Library entry points are hooked, never the user's code; every hook only reports to
a StepRecorder and calls through, and every change is undone by `uninstall`.

  forward    torch.nn.modules.module.register_module_forward_pre_hook (official), registered only
             while no forward runs: the first module it sees is a top-level one, which gets its own
             forward hook (register_forward_hook) for that call, and the global hook goes away
             until that forward ends. Nested module calls thus find no hook and take torch's fast
             path, and between forwards no module holds a hook of ours (torch.save(model) pickles
             its hooks). A forward that raises never reaches its hook: the next step boundary (a
             batch, backward, optimizer call) ends it, removes that hook and puts the global one
             back. A call under no_grad/inference_mode or of a module in eval mode may be evaluation
  data       torch.utils.data.dataloader._BaseDataLoaderIter.__next__
  backward   torch.autograd.backward (Tensor.backward calls it; wrapped too in a torch where it does not)
  optimizer  step and zero_grad of each Optimizer class, wrapped when its first instance is built
             (subclasses override step, and torch re-wraps it for its profiler on construction),
             and torch.nn.Module.zero_grad
  loaders    torch.utils.data.DataLoader.__init__, to report where each loader is built
  optimizers torch.optim.Optimizer.__init__, to know one exists and where it was built; reported
             at its first step(), when it is known whether step is given a closure
"""
import functools
import sys
import threading
import weakref

from .frames import innermost_user_frame
from .steps import STAGES

STAGE_NAMES = list(STAGES) + ["other"]
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
        self._post = post  # the channel's queue: loader and optimizer events
        self._on_failure = on_failure
        self._main = threading.main_thread().ident
        self._patches = []  # (owner, name, previous value in owner.__dict__ or _MISSING)
        self._global_dict = self._global_key = None  # where the global forward pre-hook is registered
        self._tops = []  # _TopHook of each top-level forward open, innermost last
        self._known = {}  # id() of each module seen at top level -> its _TopHook
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

    def install(self, recorder, overrides=None):
        torch, rec = self._torch, recorder
        self._recorder = recorder
        self._global_pre, self._top_post = self._forward_pre(rec), self._top_forward_post(rec)
        self._register_global(rec)
        iterator = torch.utils.data.dataloader._BaseDataLoaderIter
        self._patch(iterator, "__next__", self._loader_next(iterator.__next__))
        # Tensor.backward calls torch.autograd.backward: one wrapper is enough where it does.
        through = {"torch", "autograd", "backward"} <= set(getattr(getattr(torch.Tensor.backward, "__code__", None), "co_names", ()))
        for owner in (torch.autograd,) if through else (torch.Tensor, torch.autograd):
            self._patch(owner, "backward", self._staged(owner.backward, rec.backward_begin, rec.backward_end))
        self._patch(torch.nn.Module, "zero_grad", self._zero_grad(torch.nn.Module.zero_grad))
        self._patch(torch.optim.Optimizer, "__init__", self._after(torch.optim.Optimizer.__init__, self._optimizer_built))
        loader_init = torch.utils.data.DataLoader.__init__
        if overrides is not None:  # a tuning trial's settings (overrides.py), applied inside the report so it sees them
            loader_init = overrides.wrap_loader_init(loader_init)
        self._patch(torch.utils.data.DataLoader, "__init__", self._after(loader_init, self._report_loader))

    def uninstall(self):
        self.active = False
        if self._recorder is not None:
            self._recorder.on_forward_enter = self._recorder.on_forward_exit = _nothing
        if self._global_dict is not None:
            self._global_dict.pop(self._global_key, None)
        tops, self._tops = self._tops, []
        for top in tops:
            top.hooks.pop(top.key, None)
        for owner, name, previous in reversed(self._patches):
            if previous is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)
        self._patches = []

    # ---- wrappers -----------------------------------------------------------------------------

    def _call(self, fn, *args):
        """Runs recorder code; a failure there disables instrumentation, never the training."""
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001
            self._on_failure(exc)
            return False

    # Hot paths (every step, cold caches after torch's work) test `active` and the thread inline
    # and run recorder code in their own try: each Python call saved shows per step.

    def _register_global(self, rec):
        """Registers the global forward pre-hook, and gives the recorder what removes it when a
        forward begins and puts it back when that ends: C calls on the dict torch keeps the hook
        in, under its first handle's id (a fifth of a new registration's cost, and no Python frame
        between torch's work), or the public API where a handle does not name its dict."""
        handle = self._torch.nn.modules.module.register_module_forward_pre_hook(self._global_pre)
        hooks = getattr(handle, "hooks_dict_ref", lambda: None)()
        key = getattr(handle, "id", None)
        if hooks is None or key not in hooks:
            hooks, key = _PublicRegistration(self._torch.nn.modules.module.register_module_forward_pre_hook, handle), None
        self._global_dict, self._global_key = hooks, key
        rec.on_forward_enter = functools.partial(hooks.pop, key, None)
        rec.on_forward_exit = self._rearm = functools.partial(hooks.__setitem__, key, self._global_pre)

    def _exit_and_clean(self):
        """A forward ended while a top module still holds its hook (its forward raised): once no
        forward is open, that hook goes too."""
        rec = self._recorder
        if not self.active:
            return
        self._rearm()
        if not rec.forward_open:
            tops, self._tops = self._tops, []
            for top in tops:
                top.hooks.pop(top.key, None)
            rec.on_forward_exit = self._rearm

    def _forward_pre(self, rec):
        # Registered only outside forwards: it sees top-level calls, and module calls in the data
        # stage (a transform module in a Dataset), which open nothing.
        grad_enabled, get_ident, main = self._torch.is_grad_enabled, threading.get_ident, self._main

        def forward_pre(module, inputs):
            if rec.opens_forward and self.active and get_ident() == main:
                try:
                    rec.forward_begin(module, inputs, module.training, grad_enabled())
                    if rec.top_module is module and self.active:
                        top = self._known.get(id(module))
                        if top is None or top.module() is not module:
                            top = self._first_sight(module)
                        top.hooks[top.key] = self._top_post
                        self._tops.append(top)
                        rec.on_forward_exit = self._exit_and_clean
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
        return forward_pre

    def _first_sight(self, module):
        """Registers the module's own forward hook through the public API once; later forwards put
        it back under the same id, as the global hook is."""
        handle = module.register_forward_hook(self._top_post)
        hooks = getattr(handle, "hooks_dict_ref", lambda: None)()
        key = getattr(handle, "id", None)
        if hooks is None or key not in hooks:
            hooks, key = _PublicRegistration(module.register_forward_hook, handle), None
        known, ident = self._known, id(module)

        def forget(ref):  # the module is gone
            if ident in known and known[ident].module is ref:
                del known[ident]
        top = known[ident] = _TopHook(weakref.ref(module, forget), hooks, key)
        return top

    def _top_forward_post(self, rec):
        # Called again after its forward raised (its hook still on), the top module's stale forward
        # stage goes on through the new call (the time between was the forward's too) and ends here.
        get_ident, main = threading.get_ident, self._main

        def top_forward_post(module, inputs, output):
            if module is rec.top_module and self.active and get_ident() == main:
                try:
                    tops = self._tops
                    if tops and tops[-1].module() is module:
                        top = tops.pop()
                        top.hooks.pop(top.key, None)
                        if not tops:
                            rec.on_forward_exit = self._rearm
                    rec.forward_end()
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
        return top_forward_post

    def _staged(self, original, begin, end):
        get_ident, main = threading.get_ident, self._main

        @functools.wraps(original)
        def staged(*args, **kwargs):
            if not (self.active and get_ident() == main):
                return original(*args, **kwargs)
            try:
                opened = begin()
            except Exception as exc:  # noqa: BLE001
                self._on_failure(exc)
                opened = False
            if not opened:
                return original(*args, **kwargs)
            try:
                return original(*args, **kwargs)
            finally:
                try:
                    end()
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
        staged.__trainlens__ = True
        return staged

    def _zero_grad(self, original):
        rec = self._recorder
        return self._staged(original, rec.zero_grad_begin, rec.zero_grad_end)

    def _optimizer_step(self, original):
        rec, get_ident, main = self._recorder, threading.get_ident, self._main
        last = [None]  # the optimizer last seen already reported: spares the WeakSet lookup

        @functools.wraps(original)
        def step(optimizer, *args, **kwargs):
            if not (self.active and get_ident() == main):
                return original(optimizer, *args, **kwargs)
            closure = (args[0] if args else kwargs.get("closure")) is not None
            try:
                if optimizer is not last[0]:
                    if optimizer not in self._reported:
                        self._report_optimizer(optimizer, closure)
                    last[0] = optimizer
                opened = rec.optimizer_begin(optimizer)
            except Exception as exc:  # noqa: BLE001
                self._on_failure(exc)
                opened = False
            if not opened:
                return original(optimizer, *args, **kwargs)
            try:
                return original(optimizer, *args, **kwargs)
            finally:
                try:
                    rec.optimizer_end(optimizer, closure)
                except Exception as exc:  # noqa: BLE001
                    self._on_failure(exc)
        step.__trainlens__ = True
        return step

    def _loader_next(self, original):
        rec, get_ident, main = self._recorder, threading.get_ident, self._main

        @functools.wraps(original)
        def __next__(iterator):
            if not (self.active and get_ident() == main):
                return original(iterator)
            try:
                opened = rec.loader_next(iterator)
            except Exception as exc:  # noqa: BLE001
                self._on_failure(exc)
                opened = False
            if not opened:
                return original(iterator)
            try:
                batch = original(iterator)
            except StopIteration:
                self._call(rec.loader_exhausted)
                raise
            except BaseException:
                self._call(rec.end, "data")
                raise
            try:
                rec.loader_batch(batch)
            except Exception as exc:  # noqa: BLE001
                self._on_failure(exc)
            return batch
        return __next__

    def _after(self, original, then):
        @functools.wraps(original)
        def init(obj, *args, **kwargs):
            original(obj, *args, **kwargs)
            if self.active:
                self._call(then, obj)
        return init

    def _optimizer_built(self, optimizer):
        cls = type(optimizer)
        if not getattr(cls.step, "__trainlens__", False):
            self._patch(cls, "step", self._optimizer_step(cls.step))
        if not getattr(cls.zero_grad, "__trainlens__", False):
            self._patch(cls, "zero_grad", self._zero_grad(cls.zero_grad))
        self._optimizer_sites[optimizer] = innermost_user_frame(sys._getframe(1))
        self._recorder.optimizer_built()

    def _report_optimizer(self, optimizer, closure):
        self._reported.add(optimizer)
        cls = type(optimizer)
        file, line = self._optimizer_sites.get(optimizer, (None, None))
        defaults = getattr(optimizer, "defaults", None)
        self._post({"type": "optimizer", "kind": "%s.%s" % (cls.__module__, cls.__qualname__), "file": file, "line": line,
                    "closure": closure, "foreach": _bool(defaults.get("foreach")) if isinstance(defaults, dict) else None})

    def _report_loader(self, loader):
        file, line = innermost_user_frame(sys._getframe(1))
        if file is None or (file, line) in self._loader_sites:
            return
        self._loader_sites.add((file, line))
        self._post({"type": "loader", "kind": "torch.utils.data.DataLoader", "file": file, "line": line,
                         "batchSize": _int(getattr(loader, "batch_size", None)), "numWorkers": _int(getattr(loader, "num_workers", None)),
                         "pinMemory": _bool(getattr(loader, "pin_memory", None)),
                         "persistentWorkers": _bool(getattr(loader, "persistent_workers", None)),
                         "prefetchFactor": _int(getattr(loader, "prefetch_factor", None))})

    def _patch(self, owner, name, replacement):
        self._patches.append((owner, name, owner.__dict__.get(name, _MISSING)))
        setattr(owner, name, replacement)


class _TopHook:
    """A top-level module's own forward hook: where it goes (the module's hook dict and our key)."""
    __slots__ = ("module", "hooks", "key")

    def __init__(self, module, hooks, key):
        self.module, self.hooks, self.key = module, hooks, key  # module: a weakref


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


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value):
    return value if isinstance(value, bool) else None
